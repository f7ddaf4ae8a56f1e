/**
 * The recovery kit leaves the browser as a file or on paper. The kit arrives as text from the
 * server (seal.prepare, seal.kit); downloading it makes a Blob and clicks a link named after it,
 * printing puts it in a hidden frame of its own and prints that frame, so only the kit is on paper.
 * Nothing is kept: the Blob's address is revoked and the frame removed afterwards.
 */
import type { RecoveryKit } from '../../api/server-types.ts';

/** Saves `kit` with the browser's download, under `kit.fileName`. */
export function downloadRecoveryKit(kit: RecoveryKit): void {
  const url = URL.createObjectURL(new Blob([kit.text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = kit.fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Prints `kit` alone, titled `title` (the print dialog's and the page's heading). */
export function printRecoveryKit(kit: RecoveryKit, title: string): void {
  const frame = document.createElement('iframe');
  frame.title = title;
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  // Through the CSSOM: the page's CSP allows no inline style attributes.
  Object.assign(frame.style, { position: 'fixed', width: '0', height: '0', border: '0', right: '0', bottom: '0' });
  document.body.append(frame);
  const view = frame.contentWindow;
  const page = frame.contentDocument;
  if (!view || !page) {
    frame.remove();
    return;
  }
  page.title = title;
  const heading = page.createElement('h1');
  heading.textContent = title;
  Object.assign(heading.style, { font: '600 14pt sans-serif' });
  const text = page.createElement('pre');
  text.textContent = kit.text;
  Object.assign(text.style, { font: '10pt monospace', whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' });
  page.body.append(heading, text);
  view.addEventListener('afterprint', () => frame.remove(), { once: true });
  view.focus();
  view.print();
}
