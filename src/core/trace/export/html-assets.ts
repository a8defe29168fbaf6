// The style and the one small script of the HTML timeline: code the tool
// itself writes, never anything from a report (the data the script needs
// comes in through scriptJson in html.ts).
//
// Layout: one grid, labels in a column as wide as the longest label and the
// bars in the rest of the page's width; under 640 px (a phone) each label
// sits on its own line above its bars, so the bars get the whole width.
// Script: the wheel zooms around the pointer, dragging pans, a double click
// resets, a folded row's label opens and closes its members, and the
// signal → wake-up lines are drawn over the rows (and redrawn on any change).
// Without the script the fitted view, its ticks and the folded rows remain.

export const STYLE = `
body{font:13px system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 4px;overflow-wrap:anywhere} .meta{color:#555;margin-bottom:8px;overflow-wrap:anywhere}
.verdict-hang{color:#b00020;font-weight:600} .verdict-completed{color:#2e7d32;font-weight:600} .verdict-failed{color:#e65100;font-weight:600}
.finding{border-left:4px solid #b00020;padding:4px 8px;margin:6px 0;background:#fff5f5;overflow-wrap:anywhere}
details{margin:4px 0} pre{white-space:pre-wrap;font-size:11px;overflow-wrap:anywhere}
.legend{margin:8px 0;color:#444} .legend span{display:inline-block;margin-right:14px;white-space:nowrap}
.legend i{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
.hint{color:#777;font-size:11px;margin:4px 0}
.tl{display:grid;grid-template-columns:max-content minmax(0,1fr);border:1px solid #ddd;position:relative}
.corner{border-bottom:1px solid #ddd;border-right:1px solid #ddd;font-size:10px;color:#777;padding:4px 6px;background:#fafafa}
.axis{position:relative;height:22px;border-bottom:1px solid #ddd;overflow:hidden}
.tick{position:absolute;top:4px;transform:translateX(-50%);font:10px monospace;color:#555;white-space:nowrap}
.tick:first-child{transform:none} .tick.break-label{right:2px;left:auto;transform:none;color:#b00020}
.lab{font:11px monospace;white-space:nowrap;padding:0 8px 0 6px;border-right:1px solid #ddd;border-bottom:1px solid #f0f0f0;background:#fafafa;display:flex;align-items:center;gap:4px;box-sizing:border-box}
.lab .pid,.lab .n{color:#777} .lab .st{color:#777;font-size:10px;margin-left:auto;padding-left:8px}
.lab.attn{background:#ffe5e5;color:#b00020} .lab.attn .st{color:#b00020;font-weight:600}
.lab.st-starving{background:#fff0dc;color:#8a4b00} .lab.st-silent{background:#f1f1f1;color:#555}
.fold{font:inherit;border:0;background:none;padding:0 2px;cursor:pointer;color:inherit} .fold[aria-expanded=true]{transform:rotate(90deg)}
.members{display:contents} .members[hidden]{display:none} .members .lab{padding-left:22px}
svg.bars{display:block;width:100%;border-bottom:1px solid #f0f0f0;cursor:grab;box-sizing:border-box}
svg.bars.attn{background:#ffe5e5} svg.bars.st-starving{background:#fff0dc} svg.bars.st-silent{background:#f1f1f1}
.open{stroke:#b00020;stroke-dasharray:3 2}
rect,line{vector-effect:non-scaling-stroke} .instant{stroke:#e15759;stroke-width:1.5} .mark{stroke:#b00020;stroke-width:2}
.lost{stroke:#d4007f;stroke-width:2.5} .break{fill:url(#zig);opacity:.9}
svg.flows{position:absolute;left:0;top:0;pointer-events:none;overflow:visible} .flow{stroke:#888;stroke-width:.8;opacity:.55}
@media (max-width:640px){
  body{margin:8px}
  .tl{grid-template-columns:minmax(0,1fr)}
  .corner{border-right:0}
  .lab{border-right:0;min-height:0!important;padding-top:2px;white-space:normal;flex-wrap:wrap}
}
`;

/** The page script; `DATA` is declared before it with the view, the tail label, and the flows in view units. */
export const SCRIPT = `
(() => {
  const svgs = () => [...document.querySelectorAll('svg.bars')];
  const axis = document.getElementById('axis'), tl = document.getElementById('tl'), overlay = document.getElementById('flows');
  let view = DATA.full.slice();
  const visible = (el) => el.getClientRects().length > 0;
  const rowOf = new Map();
  const mapRows = () => {
    rowOf.clear();
    for (const s of svgs()) if (visible(s)) for (const pid of s.dataset.pids.split(' ')) if (!rowOf.has(pid) || s.classList.contains('member')) rowOf.set(pid, s);
  };
  const drawFlows = () => {
    mapRows();
    const box = tl.getBoundingClientRect();
    overlay.setAttribute('width', box.width);
    overlay.setAttribute('height', box.height);
    const xy = (pid, v) => {
      const s = rowOf.get(String(pid));
      if (!s) return null;
      const r = s.getBoundingClientRect();
      return [r.left - box.left + (r.width * (v - view[0])) / (view[1] - view[0]), r.top - box.top + r.height / 2, s];
    };
    let lines = '';
    for (const f of DATA.flows) {
      const a = xy(f[0], f[1]), b = xy(f[2], f[3]);
      if (!a || !b || a[2] === b[2]) continue;
      lines += '<line class="flow" x1="' + a[0] + '" y1="' + a[1] + '" x2="' + b[0] + '" y2="' + b[1] + '"/>';
    }
    overlay.innerHTML = lines;
  };
  const draw = () => {
    for (const s of svgs()) s.setAttribute('viewBox', view[0] + ' 0 ' + (view[1] - view[0]) + ' ' + s.getAttribute('height'));
    // About one tick per 90 px; none under the break's label.
    const w = axis.clientWidth || 900;
    const t = niceTicks(view[0], Math.min(view[1], DATA.active), Math.max(2, Math.min(10, Math.floor(w / 90))));
    const pct = (v) => (100 * (v - view[0])) / (view[1] - view[0]);
    const limit = DATA.tail ? pct(DATA.active) - 7000 / w : 101;
    axis.innerHTML = t.values.filter((v) => pct(v) <= limit).map((v) => '<div class="tick" style="left:' + pct(v) + '%">' + tickLabel(v, t.step) + '</div>').join('') + DATA.tail;
    drawFlows();
  };
  const at = (e, s) => view[0] + ((view[1] - view[0]) * (e.clientX - s.getBoundingClientRect().left)) / s.clientWidth;
  tl.addEventListener('wheel', (e) => {
    const s = e.target.closest && e.target.closest('svg.bars');
    if (!s) return;
    e.preventDefault();
    const x = at(e, s), k = e.deltaY > 0 ? 1.25 : 0.8;
    view = [x - (x - view[0]) * k, x + (view[1] - x) * k];
    draw();
  }, { passive: false });
  let drag = null;
  tl.addEventListener('mousedown', (e) => {
    const s = e.target.closest && e.target.closest('svg.bars');
    if (s) drag = { x: e.clientX, w: s.clientWidth, view: view.slice() };
  });
  window.addEventListener('mouseup', () => (drag = null));
  window.addEventListener('mousemove', (e) => {
    if (!drag) return;
    const d = ((drag.x - e.clientX) * (drag.view[1] - drag.view[0])) / drag.w;
    view = [drag.view[0] + d, drag.view[1] + d];
    draw();
  });
  tl.addEventListener('dblclick', () => { view = DATA.full.slice(); draw(); });
  tl.addEventListener('click', (e) => {
    const lab = e.target.closest && e.target.closest('.lab');
    const b = lab && lab.querySelector('button.fold');
    if (!b) return;
    const m = document.getElementById(b.getAttribute('aria-controls'));
    m.hidden = !m.hidden;
    b.setAttribute('aria-expanded', String(!m.hidden));
    drawFlows();
  });
  window.addEventListener('resize', drawFlows);
  draw();
})();
`;
