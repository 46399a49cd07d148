// DOM helpers shared by the page's sections.

export function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`demo: missing element #${id}`);
  return node as T;
}

export function setText(id: string, text: string, title?: string): void {
  const node = el(id);
  node.textContent = text;
  if (title !== undefined) node.title = title;
}

/** Shows how model.profile() timed the ops in output #id: its words, and the method as data-method. */
export function showTimingMethod(id: string, method: 'timestamps' | 'wall clock'): void {
  const out = el(id);
  out.dataset.method = method;
  out.textContent = method === 'timestamps' ? 'GPU timestamps' : 'wall clock';
}

/** A CSS custom property of the page (colours for the charts), '' when unset. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Resolves after the next frame is painted (or 50 ms, in a background tab): lets status text show between long steps. */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, 50);
  });
}

/**
 * Lets `zone` take files dragged onto it: `data-drag` is set on it while files hover
 * over it, and `onFiles` gets what was dropped.
 */
export function acceptDrops(zone: HTMLElement, onFiles: (files: File[]) => void): void {
  const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
  let depth = 0; // dragenter/dragleave fire for every child the pointer crosses
  zone.addEventListener('dragenter', (e) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    depth++;
    zone.dataset.drag = 'true';
  });
  zone.addEventListener('dragover', (e) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) delete zone.dataset.drag;
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    delete zone.dataset.drag;
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length > 0) onFiles(files);
  });
}
