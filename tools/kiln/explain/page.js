// page.js: the behaviour of a `kiln explain` page (inlined into the page).
//
// Every IR or assembly line that came from a source line carries
// data-src="N"; source lines carry data-line="N". At load this marks the
// source lines that have code (class "mapped", data-mapped = how many
// lines), then a click on a source line (or #select=N in the URL) gives
// that line and all its IR and assembly lines the class "selected", and
// each pass whose diff touches it the class "has-selected".
(function () {
  'use strict';

  let loaded = false;
  const sourceLines = document.querySelectorAll('#source .line[data-line]');
  const counts = new Map();
  for (const el of document.querySelectorAll('[data-src]')) {
    counts.set(el.dataset.src, (counts.get(el.dataset.src) || 0) + 1);
  }
  for (const el of sourceLines) {
    const n = counts.get(el.dataset.line);
    if (n) {
      el.classList.add('mapped');
      el.dataset.mapped = String(n);
    }
  }

  function select(line) {
    for (const el of document.querySelectorAll('.selected, .has-selected')) {
      el.classList.remove('selected', 'has-selected');
    }
    const lines = document.querySelectorAll(
      `[data-line="${line}"], [data-src="${line}"]`);
    for (const el of lines) {
      el.classList.add('selected');
      const pass = el.closest('details.pass');
      if (pass) pass.classList.add('has-selected');
    }
    document.body.dataset.selected = line;
    document.body.dataset.selectedCount = String(lines.length);
  }

  for (const el of sourceLines) {
    el.addEventListener('click', () => {
      history.replaceState(null, '', '#select=' + el.dataset.line);
      select(el.dataset.line);
      // The first of them in the page (the IR as generated) comes into view;
      // the source column stays put. Not at load: the page opens at its top.
      const first = document.querySelector('#ir .selected, #asm .selected');
      if (first && loaded) first.scrollIntoView({ block: 'center' });
    });
  }

  // #select=N: as if line N had been clicked (links, tests).
  const wanted = /^#select=(\d+)$/.exec(location.hash);
  if (wanted) {
    const line = document.querySelector(`#source .line[data-line="${wanted[1]}"]`);
    if (line) line.click();
    else select(wanted[1]);
  }
  loaded = true;
  document.body.dataset.mapReady = 'true';
})();
