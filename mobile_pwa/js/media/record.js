// A voice note: the microphone is asked for on the tap, recording stops by itself after two minutes, and the
// recording is played back before the user keeps or discards it.
import { h } from '../ui.js';

export const MAX_SECONDS = 120;
// What the browser can record: Opus in WebM (Chromium) or Ogg (Firefox), AAC in MP4 (Safari).
const TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4'];

export const recordingType = () =>
  (typeof MediaRecorder === 'function' ? TYPES.find((t) => MediaRecorder.isTypeSupported(t)) : undefined);

const clock = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s) % 60).padStart(2, '0')}`;
export const length = (seconds) => clock(Math.round(seconds || 0));

/** Why the microphone could not be used, in words. */
export function micProblem(err) {
  if (err && (err.name === 'NotAllowedError' || err.name === 'SecurityError')) {
    return 'The microphone is blocked for Undercover. Allow it in the browser’s settings for this site to record; ' +
      'meanwhile your visit works as usual (type the pain point, or use the keyboard’s dictation).';
  }
  if (err && (err.name === 'NotFoundError' || err.name === 'OverconstrainedError')) {
    return 'No microphone was found on this device. Your visit works as usual without voice notes.';
  }
  return 'The microphone could not be started. Your visit works as usual without voice notes.';
}

/**
 * Records into `box` (a panel with a timer, Stop, then a player with Keep and Discard).
 * Resolves with { blob, type, duration_s } when kept, null when discarded; rejects when the
 * microphone cannot be used (see micProblem).
 */
export async function recordVoice(box, label) {
  const type = recordingType();
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  return new Promise((resolve) => {
    const chunks = [];
    const recorder = new MediaRecorder(stream, { mimeType: type });
    const started = performance.now();
    const timer = h('p', { class: 'rec-timer', role: 'timer', 'aria-label': 'Recording time' }, '0:00');
    const said = h('p', { class: 'hint', 'aria-live': 'polite' }, `Recording. It stops by itself after ${MAX_SECONDS / 60} minutes.`);
    const stop = h('button', { type: 'button', class: 'btn primary', onclick: () => recorder.stop() }, 'Stop recording');
    const panel = h('div', { class: 'recorder card', role: 'group', 'aria-label': `Voice recorder, ${label}` },
      h('p', { class: 'rec-dot' }, 'Recording'), timer, said, stop);
    box.append(panel);
    stop.focus();
    let seconds = 0;
    const tick = setInterval(() => {
      seconds = (performance.now() - started) / 1000;
      timer.textContent = `${clock(seconds)} of ${clock(MAX_SECONDS)}`;
      // Said politely every 30 seconds, not every second.
      if (Math.floor(seconds) % 30 === 0 && seconds >= 29) said.textContent = `${clock(seconds)} recorded.`;
      // Past two minutes, or the screen was left (what was recorded is kept, never lost).
      if (seconds >= MAX_SECONDS || !panel.isConnected) recorder.stop();
    }, 250);
    recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
    recorder.onstop = () => {
      clearInterval(tick);
      for (const track of stream.getTracks()) track.stop();
      seconds = Math.min(MAX_SECONDS, (performance.now() - started) / 1000);
      // The bare type (no codecs parameter): what the server's list of types names.
      const bare = type.split(';')[0];
      const blob = new Blob(chunks, { type: bare });
      const kept = { blob, type: bare, duration_s: Math.round(seconds * 10) / 10 };
      if (!panel.isConnected) {
        resolve(kept);
        return;
      }
      const url = URL.createObjectURL(blob);
      const finish = (yes) => {
        URL.revokeObjectURL(url);
        panel.remove();
        resolve(yes ? kept : null);
      };
      const keep = h('button', { type: 'button', class: 'btn primary', onclick: () => finish(true) }, 'Keep');
      panel.replaceChildren(
        h('p', { 'aria-live': 'polite' }, `Recorded ${length(seconds)}. Play it back, then keep or discard it.`),
        h('audio', { controls: true, src: url, preload: 'auto', 'aria-label': `New voice note, ${length(seconds)}` }),
        h('div', { class: 'row' }, keep, h('button', { type: 'button', class: 'btn danger', onclick: () => finish(false) }, 'Discard')));
      keep.focus();
    };
    recorder.start(1000);
  });
}
