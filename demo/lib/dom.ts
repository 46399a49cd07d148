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
