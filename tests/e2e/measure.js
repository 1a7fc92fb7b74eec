() => {
  // Controls a person taps that are under 44 px high (a check box or radio with its labels; links inside a sentence
  // are exempt, as WCAG 2.5.8 says), and elements that stick out of the window outside a box that scrolls or clips.
  const root = document.documentElement;
  const viewport = root.clientWidth;
  const found = {width: root.scrollWidth, viewport, small: [], wide: [], unreadable: []};
  const describe = (el) => {
    const text = (el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent || el.value || el.name || '')
      .trim().replace(/\s+/g, ' ');
    return el.tagName.toLowerCase() + (el.type && el.tagName !== 'A' ? '[' + el.type + ']' : '') + ' "' + text.slice(0, 40) + '"';
  };
  const inSentence = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const own = el.textContent.replace(/\s+/g, ' ').trim().length;
    return el.parentElement.textContent.replace(/\s+/g, ' ').trim().length > own + 3;
  };
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || box.right < 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('.visually-hidden, [hidden], dialog:not([open])') || inSentence(el)) continue;
    let top = box.top, bottom = box.bottom;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.labels) {
      for (const label of el.labels) {
        const l = label.getBoundingClientRect();
        top = Math.min(top, l.top); bottom = Math.max(bottom, l.bottom);
      }
    }
    if (bottom - top < 43.5) found.small.push(describe(el) + ' ' + Math.round(bottom - top) + ' px');
    // axe leaves text exactly the colour of its own background "incomplete"; a filled button like that is unreadable.
    const style = getComputedStyle(el);
    if (el.textContent.trim() && style.backgroundColor === style.color) found.unreadable.push(describe(el));
  }
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right <= viewport + 1 || box.width === 0) continue;
    let clipped = false;
    for (let up = el.parentElement; up && !clipped; up = up.parentElement) {
      clipped = ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(up).overflowX);
    }
    if (!clipped) found.wide.push(el.tagName.toLowerCase() + '.' + String(el.className).trim().replace(/\s+/g, '.') + ' to ' + Math.round(box.right));
  }
  found.wide = found.wide.slice(0, 5);
  return found;
}
