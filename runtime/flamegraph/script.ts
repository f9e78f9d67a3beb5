// The flame graph's own script, inlined into the SVG (no network, no library): zoom on click,
// search, a details line under the graph. Each frame is a <g class="fr"> whose data-x/-w/-d hold
// its start, weight and depth in weight units, so zooming is arithmetic on those numbers; the
// SVG's static x/width are the unzoomed view, which is also what a viewer without scripts shows.
//
// window.flamegraph (zoom(name), search(term), reset()) is there for tests and for scripting the
// page from devtools.

export const FLAME_SCRIPT = String.raw`
(function () {
  'use strict';
  var svg = document.documentElement;
  var cfg = JSON.parse(svg.getAttribute('data-flame'));
  var PAD = cfg.pad, W = cfg.width, CW = cfg.charWidth;
  var frames = [], root = null, zoomed = null;
  var details = document.getElementById('details');
  var matched = document.getElementById('matched');
  var resetButton = document.getElementById('reset');
  var searchButton = document.getElementById('search');

  function num(g, a) { return Number(g.getAttribute(a)); }
  function fit(name, px) {
    var n = Math.floor((px - 6) / CW);
    if (n >= name.length) return name;
    return n < 3 ? '' : name.slice(0, n - 2) + '..';
  }
  function pct(w) { return (100 * w / root.w).toFixed(2) + '%'; }
  function describe(f) {
    return f.name + (f.kernel ? ' [kernel]' : '') + ' (' + f.w + ' of ' + root.w + ', ' + pct(f.w) + ')';
  }
  function place(f, x, w) {
    f.rect.setAttribute('x', x.toFixed(2));
    f.rect.setAttribute('width', Math.max(0, w).toFixed(2));
    f.text.setAttribute('x', (x + 3).toFixed(2));
    f.text.textContent = fit(f.name, w);
  }

  var gs = svg.querySelectorAll('g.fr');
  for (var i = 0; i < gs.length; i++) {
    var g = gs[i];
    var f = { g: g, name: g.getAttribute('data-n'), x: num(g, 'data-x'), w: num(g, 'data-w'), d: num(g, 'data-d'),
      kernel: g.hasAttribute('data-k'), rect: g.querySelector('rect'), text: g.querySelector('text') };
    f.fill = f.rect.getAttribute('fill');
    g.flameFrame = f;
    frames.push(f);
    if (f.d === 0) root = f;
  }

  function zoom(z) {
    zoomed = z;
    var scale = W / z.w;
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i], cls = f.g.classList;
      if (f.d < z.d) {
        var ancestor = f.x <= z.x && f.x + f.w >= z.x + z.w;
        cls.toggle('hide', !ancestor);
        cls.toggle('anc', ancestor);
        if (ancestor) place(f, PAD, W);
      } else {
        var inside = f.x >= z.x && f.x + f.w <= z.x + z.w;
        cls.toggle('hide', !inside);
        cls.remove('anc');
        if (inside) place(f, PAD + (f.x - z.x) * scale, f.w * scale);
      }
    }
    resetButton.classList.toggle('hide', z === root);
    svg.setAttribute('data-zoom', z === root ? '' : z.name);
  }

  function search(term) {
    var re = null;
    if (term) {
      try { re = new RegExp(term); } catch (e) { re = new RegExp(term.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')); }
    }
    var spans = [];
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i], hit = !!re && f.d > 0 && re.test(f.name);
      f.rect.setAttribute('fill', hit ? cfg.matchFill : f.fill);
      f.g.classList.toggle('match', hit);
      if (hit) spans.push([f.x, f.x + f.w]);
    }
    // A match inside another match is the same samples: count the union of the spans.
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var sum = 0, end = -1;
    for (var j = 0; j < spans.length; j++) {
      var s = Math.max(spans[j][0], end);
      if (spans[j][1] > s) { sum += spans[j][1] - s; end = spans[j][1]; }
    }
    matched.textContent = re ? 'Matched: ' + pct(sum) : '';
    searchButton.textContent = re ? 'Clear search' : 'Search';
    svg.setAttribute('data-search', term || '');
    return root.w ? sum / root.w : 0;
  }

  function frameOf(el) {
    while (el && el !== svg) {
      if (el.flameFrame) return el.flameFrame;
      el = el.parentNode;
    }
    return null;
  }
  svg.addEventListener('click', function (e) {
    var f = frameOf(e.target);
    if (f) zoom(f);
  });
  svg.addEventListener('mouseover', function (e) {
    var f = frameOf(e.target);
    details.textContent = f ? describe(f) : ' ';
  });
  resetButton.addEventListener('click', function () { zoom(root); });
  searchButton.addEventListener('click', function () {
    if (svg.getAttribute('data-search')) search('');
    else search(window.prompt('Search frames (regular expression):', '') || '');
  });
  window.addEventListener('keydown', function (e) {
    if ((e.key === 'f' && (e.ctrlKey || e.metaKey)) || e.key === '/') {
      e.preventDefault();
      search(window.prompt('Search frames (regular expression):', '') || '');
    } else if (e.key === 'Escape') {
      search('');
      zoom(root);
    }
  });

  window.flamegraph = {
    zoom: function (name) {
      for (var i = 0; i < frames.length; i++) if (frames[i].name === name) { zoom(frames[i]); return true; }
      return false;
    },
    reset: function () { zoom(root); },
    search: search,
  };
  if (root) zoom(root);
})();
`;
