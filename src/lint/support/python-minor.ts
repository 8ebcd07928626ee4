import { type ImageRef, isPythonImage } from '../model.js';

/** Python minor of an image, from its tag (python:3.12-slim) or the distroless Debian release. */
export function pythonMinorOf(img: ImageRef): string | null {
  const n = img.name.toLowerCase();
  if (n.includes('distroless') && n.includes('python3')) {
    if (n.endsWith('debian12')) return '3.11';
    if (n.endsWith('debian13')) return '3.13';
    if (n.endsWith('debian11')) return '3.9';
    return null;
  }
  if (!isPythonImage(img) || !img.tag) return null;
  const m = /^(\d+)\.(\d+)/.exec(img.tag);
  return m ? `${m[1]}.${m[2]}` : null;
}
