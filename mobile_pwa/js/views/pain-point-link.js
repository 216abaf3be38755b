// Where the links in messages lead (#/pain-points/{id}: the inbox and e-mails, api/messages/compose.py): that
// pain point's detail, in the feed for managers and admins, in "My pain points" for the executive who logged it.
import { currentUser } from '../api.js';

export function render(_main, [id]) {
  const user = currentUser();
  // Replaced, not added: Back from the pain point returns to where the link was opened.
  location.replace(`#/${user && user.role === 'executive' ? 'mine' : 'feed'}?open=${id}`);
}
