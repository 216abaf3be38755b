// A photo made ready to keep: decoded, turned upright, scaled down to 1,600 px on its longest side and encoded
// again as JPEG. Only the pixels are drawn again, so EXIF (GPS, the camera, the time) stays behind.

export const LONGEST = 1600;
const QUALITY = 0.8;

/** Resolves with { blob (image/jpeg), width, height }; rejects when the browser cannot read the file. */
export async function preparePhoto(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const scale = Math.min(1, LONGEST / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = typeof OffscreenCanvas === 'function'
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement('canvas'), { width, height });
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff'; // a transparent PNG gets white, not black, behind it
    g.fillRect(0, 0, width, height);
    g.drawImage(bitmap, 0, 0, width, height);
    const blob = canvas.convertToBlob
      ? await canvas.convertToBlob({ type: 'image/jpeg', quality: QUALITY })
      : await new Promise((ok, ko) => canvas.toBlob((b) => (b ? ok(b) : ko(new Error('not encoded'))), 'image/jpeg', QUALITY));
    return { blob, width, height };
  } finally {
    bitmap.close();
  }
}
