/*
 * Citation graph page: the collection's citation graph drawn on a canvas, with pan, zoom, hover, click to select
 * a paper (a side panel shows it and links to its page), colour by a facet or by one node, facet filters, and a
 * view around one paper (?focus=<id>, its references and citers in the collection; &hops=2 adds theirs).
 *
 * Reads graph/citation-graph.json written at build time (its shape is documented in site_builder/graph_index.py).
 * Positions are computed at build time, so the browser only draws: one path per colour for the dots and one for
 * the lines, dots outside the view skipped, hit tests through a grid of cells. The colour and the filters live in
 * the query string (filters use the facet ids as keys, like the explore page). Works with the theme's instant
 * navigation (document$) and without it (see common.js). No third-party code.
 */
(function () {
  "use strict";

  var PALETTE = ["#3366cc", "#e8731a", "#2e9e5b", "#c93c3c", "#8a5cc7", "#a0702c", "#d4509e", "#1aa3b8", "#b8a31a"];
  var OTHER_COLOUR = "#8c8c8c";
  var NONE_COLOUR = "#c8c8c8";
  var LINES_BY_DEFAULT = 30000;  /* more citations than this: lines only for the dot under the pointer */
  var MAX_LINES = 8000;  /* lines drawn per frame at most (an even sample when more are in view) */
  var MIN_HEIGHT = 320;
  var MAX_HEIGHT = 640;
  var MARGIN = 24;
  var MATCHES_LISTED = 8;
  var LARGE = 2000;  /* more papers than this: the whole, unzoomed graph shows only the most cited ones */
  var CROWD = 400;   /* how many it shows then */

  var el = window.SSMLKB.el;

  /* ---- the data ---- */

  function prepare(raw) {
    var col = {};
    raw.cols.forEach(function (name, i) { col[name] = i; });
    var nodes = raw.nodes.map(function (n, i) {
      return { num: i, facet: n[0], id: n[1], label: n[2], parent: n[3], depth: 0, root: i };
    });
    nodes.forEach(function (n) {
      if (n.parent >= 0) { n.depth = nodes[n.parent].depth + 1; n.root = nodes[n.parent].root; }
    });
    var facets = raw.facets.map(function (f, i) {
      return { pos: i, id: f[0], label: f[1], nodes: nodes.filter(function (n) { return n.facet === i; }) };
    });
    /* The data lists papers by id; what the page lists follows the site's order: newest first, then by title. */
    var papers = raw.papers.map(function (row, i) {
      var closure = new Set();
      row[col.tags].forEach(function (num) {
        for (var k = num; k >= 0 && !closure.has(k); k = nodes[k].parent) closure.add(k);
      });
      return {
        num: i, id: row[col.id], title: row[col.title], year: row[col.year], x: row[col.x], y: row[col.y],
        citedBy: row[col.citedBy], own: row[col.tags], closure: closure, out: [], into: [],
        r: raw.cell * Math.min(0.9, 0.22 + 0.08 * Math.sqrt(row[col.citedBy])),
        haystack: (row[col.title] + " " + row[col.id]).toLowerCase(), titleKey: row[col.title].toLowerCase()
      };
    });
    var edges = raw.edges;
    for (var e = 0; e < edges.length; e += 2) {
      papers[edges[e]].out.push(edges[e + 1]);
      papers[edges[e + 1]].into.push(edges[e]);
    }
    var grid = new Map();
    papers.forEach(function (p) {
      var key = Math.floor(p.x / raw.cell) + ":" + Math.floor(p.y / raw.cell);
      if (!grid.has(key)) grid.set(key, []);
      grid.get(key).push(p);
    });
    return { raw: raw, facets: facets, nodes: nodes, papers: papers, edges: edges, grid: grid, cell: raw.cell };
  }

  /* Colour groups of one facet: the set of top-level nodes a paper sits under ("Image + Text"); the most common
     groups get a colour each, the rest share "other", papers without a tag on the facet are "untagged". */
  /* The site's display order (newest first, then by title, then id) for lists the page shows. */
  function displayOrder(a, b) {
    if (a.year !== b.year) return b.year - a.year;
    if (a.titleKey !== b.titleKey) return a.titleKey < b.titleKey ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }

  /* Counts are of the papers shown (``shown``), so the legend follows the filters and the focus. */
  function colourGroups(data, facet, shown) {
    var keyOf = new Array(data.papers.length);
    var counts = new Map();
    data.papers.forEach(function (p) {
      if (!shown[p.num]) return;
      var roots = facet.nodes.filter(function (n) { return n.parent < 0 && p.closure.has(n.num); });
      var key = roots.map(function (n) { return n.label; }).join(" + ");
      keyOf[p.num] = key;
      counts.set(key, (counts.get(key) || 0) + 1);
    });
    var ranked = Array.from(counts.keys()).filter(function (k) { return k; }).sort(function (a, b) {
      return counts.get(b) - counts.get(a) || (a < b ? -1 : a > b ? 1 : 0);
    });
    var groups = ranked.slice(0, PALETTE.length).map(function (key, i) {
      return { label: key, colour: PALETTE[i], count: counts.get(key) };
    });
    var byKey = new Map(groups.map(function (g) { return [g.label, g]; }));
    var other = { label: "other combinations", colour: OTHER_COLOUR, count: 0 };
    var none = { label: "untagged", colour: NONE_COLOUR, count: counts.get("") || 0 };
    var groupOf = keyOf.map(function (key) {
      if (key === undefined) return null;
      if (!key) return none;
      var g = byKey.get(key);
      if (g) return g;
      other.count++;
      return other;
    });
    if (other.count) groups.push(other);
    if (none.count) groups.push(none);
    return { groups: groups, groupOf: groupOf };
  }

  /* Two groups: the papers that sit under one node ("has Audio") and the rest. */
  function nodeGroups(data, node, shown) {
    var yes = { label: "has " + node.label, colour: PALETTE[0], count: 0 };
    var no = { label: "not " + node.label, colour: NONE_COLOUR, count: 0 };
    var groupOf = data.papers.map(function (p) {
      if (!shown[p.num]) return null;
      var g = p.closure.has(node.num) ? yes : no;
      g.count++;
      return g;
    });
    return { groups: [yes, no], groupOf: groupOf };
  }

  /* The colour choices: every facet, then every node ("<facet id>.<node id>"). */
  function colourChoices(data) {
    var out = data.facets.map(function (f) { return { value: f.id, label: f.label, facet: f, node: null }; });
    data.facets.forEach(function (f) {
      f.nodes.forEach(function (n) {
        out.push({ value: f.id + "." + n.id, label: "has " + n.label + " (" + f.label + ")", facet: f, node: n });
      });
    });
    return out;
  }

  /* The papers around paper ``focus``: its references and citers, and theirs when hops is 2. */
  function neighbourhood(data, focus, hops) {
    var near = new Set([focus.num]);
    var ring = [focus];
    for (var h = 0; h < hops; h++) {
      var next = [];
      ring.forEach(function (p) {
        p.out.concat(p.into).forEach(function (q) {
          if (!near.has(q)) { near.add(q); next.push(data.papers[q]); }
        });
      });
      ring = next;
    }
    return near;
  }

  /* ---- state <-> query string ---- */

  function readState(data, search) {
    var params = new URLSearchParams(search);
    var state = { colour: data.facets.length ? data.facets[0].id : "", sel: {}, focus: null,
      hops: params.get("hops") === "2" ? 2 : 1 };
    colourChoices(data).forEach(function (c) { if (params.get("colour") === c.value) state.colour = c.value; });
    data.papers.forEach(function (p) { if (params.get("focus") === p.id) state.focus = p; });
    data.facets.forEach(function (f) {
      state.sel[f.id] = new Set();
      var known = new Set(f.nodes.map(function (n) { return n.id; }));
      (params.get(f.id) || "").split(",").forEach(function (v) { if (known.has(v)) state.sel[f.id].add(v); });
    });
    return state;
  }

  function writeState(data, state) {
    var params = new URLSearchParams();
    if (state.focus) params.set("focus", state.focus.id);
    if (state.focus && state.hops === 2) params.set("hops", "2");
    if (data.facets.length && state.colour !== data.facets[0].id) params.set("colour", state.colour);
    data.facets.forEach(function (f) {
      var chosen = f.nodes.filter(function (n) { return state.sel[f.id].has(n.id); });
      if (chosen.length) params.set(f.id, chosen.map(function (n) { return n.id; }).join(","));
    });
    var query = params.toString().replace(/%2C/g, ",");
    var url = location.pathname + (query ? "?" + query : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
  }

  /* AND across facets, OR within one; a chosen node also matches papers tagged below it. */
  function visibility(data, state) {
    var chosen = data.facets.map(function (f) {
      return f.nodes.filter(function (n) { return state.sel[f.id].has(n.id); }).map(function (n) { return n.num; });
    }).filter(function (nums) { return nums.length; });
    var near = state.focus ? neighbourhood(data, state.focus, state.hops) : null;
    return data.papers.map(function (p) {
      if (near && !near.has(p.num)) return false;
      return chosen.every(function (nums) { return nums.some(function (k) { return p.closure.has(k); }); });
    });
  }

  /* ---- the view ---- */

  function mount(root, data) {
    var base = root.getAttribute("data-root") || "../";
    var state = readState(data, location.search);
    var colours = null;
    var visible = null;
    var shownCount = 0;
    var view = { scale: 1, tx: 0, ty: 0 };
    var size = { w: 0, h: MIN_HEIGHT };
    var touched = false;
    var hovered = null;
    var selected = null;
    var drawn = null;  /* visible, less the papers the crowded whole-graph view leaves out */
    var crowded = false;
    var crowd = new Set(data.papers.slice().sort(function (a, b) {
      return b.citedBy - a.citedBy || displayOrder(a, b);
    }).slice(0, CROWD).map(function (p) { return p.num; }));
    var fitScale = 1;
    var matches = [];
    var pending = false;

    var canvas = el("canvas", { className: "sb-graph__canvas", tabindex: "0", role: "img",
      "aria-label": "Citation graph of " + data.papers.length + " papers; arrow keys move, plus and minus zoom, " +
        "0 resets, N and P select the next and previous paper, Escape clears the selection" });
    var tip = el("div", { className: "sb-graph__tip", role: "tooltip", hidden: "" });
    var stage = el("div", { className: "sb-graph__stage" }, [canvas, tip]);

    var choices = colourChoices(data);
    var colourSelect = el("select", { id: "sb-graph-colour" }, [
      el("optgroup", { label: "Facet" }, choices.filter(function (c) { return !c.node; }).map(function (c) {
        return el("option", { value: c.value, text: c.label });
      })),
      el("optgroup", { label: "One value" }, choices.filter(function (c) { return c.node; }).map(function (c) {
        return el("option", { value: c.value, text: c.label });
      }))]);
    var panel = el("aside", { className: "sb-graph__panel", "aria-label": "Selected paper", hidden: "" });
    var focusBox = el("div", { className: "sb-graph__focus", hidden: "" });
    var hops = el("input", { type: "checkbox", id: "sb-graph-hops" });
    var legend = el("ul", { className: "sb-graph__legend", "aria-label": "Colours" });
    var zoomIn = el("button", { type: "button", text: "Zoom in", "aria-label": "Zoom in" });
    var zoomOut = el("button", { type: "button", text: "Zoom out", "aria-label": "Zoom out" });
    var reset = el("button", { type: "button", text: "Reset view" });
    var lines = el("input", { type: "checkbox", id: "sb-graph-lines" });
    lines.checked = data.edges.length / 2 <= LINES_BY_DEFAULT;
    var linesNote = el("span", { className: "sb-graph__note" });
    var find = el("input", { type: "search", id: "sb-graph-find", autocomplete: "off", placeholder: "title or id" });
    var found = el("ul", { className: "sb-graph__found" });
    var status = el("p", { className: "sb-status", role: "status", "aria-live": "polite" });
    var clear = el("button", { type: "button", text: "Clear filters" });

    var boxes = [];
    var toggles = [];
    var filters = data.facets.map(function (f) {
      var items = f.nodes.map(function (n) {
        var id = "sb-graph-f-" + f.id + "-" + n.id;
        var input = el("input", { type: "checkbox", id: id, name: f.id, value: n.id });
        var label = el("label", { className: "sb-opt", for: id }, [input, document.createTextNode(" " + n.label)]);
        label.style.paddingLeft = n.depth * 1.1 + "em";
        boxes.push({ input: input, facet: f, node: n });
        return label;
      });
      var panel = el("div", { className: "sb-graph__options", id: "sb-graph-opts-" + f.id, hidden: "" }, items);
      var toggle = el("button", { type: "button", className: "sb-graph__toggle", "aria-expanded": "false",
        "aria-controls": panel.id, text: f.label });
      toggle.addEventListener("click", function () { setOpen(toggle, panel, panel.hidden); });
      toggles.push({ facet: f, toggle: toggle, panel: panel });
      return el("div", { className: "sb-graph__facet" }, [toggle, panel]);
    });

    function setOpen(toggle, panel, open) {
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }

    var controls = el("form", { className: "sb-graph__controls", "aria-label": "Graph controls" }, [
      el("div", { className: "sb-toolbar" }, [zoomIn, zoomOut, reset,
        el("label", { for: "sb-graph-lines" }, [lines, document.createTextNode(" Citation lines"), linesNote])]),
      el("label", { for: "sb-graph-colour", text: "Colour by " }), colourSelect, legend,
      el("fieldset", {}, [el("legend", { text: "Show only" })].concat(filters, [clear])),
      el("label", { for: "sb-graph-find", text: "Find a paper" }), find, found
    ]);
    controls.addEventListener("submit", function (event) { event.preventDefault(); });
    root.textContent = "";
    root.appendChild(el("div", { className: "sb-graph__layout" },
      [el("div", {}, [focusBox, status, stage, panel]), controls]));

    function toScreen(p) { return [p.x * view.scale + view.tx, p.y * view.scale + view.ty]; }

    /* The papers shown fill the view (all of them: the whole picture, so that years keep their place). */
    function fit() {
      var x0 = 0, y0 = 0, x1 = data.raw.w, y1 = data.raw.h;
      if (visible && shownCount && shownCount < data.papers.length) {
        x0 = y0 = Infinity; x1 = y1 = -Infinity;
        data.papers.forEach(function (p) {
          if (!visible[p.num]) return;
          x0 = Math.min(x0, p.x - data.cell); x1 = Math.max(x1, p.x + data.cell);
          y0 = Math.min(y0, p.y - data.cell); y1 = Math.max(y1, p.y + data.cell);
        });
      }
      var w = x1 - x0, h = y1 - y0;
      view.scale = Math.min(8, (size.w - 2 * MARGIN) / Math.max(w, 1), (size.h - 2 * MARGIN) / Math.max(h, 1));
      view.tx = (size.w - w * view.scale) / 2 - x0 * view.scale;
      view.ty = (size.h - h * view.scale) / 2 - y0 * view.scale;
      fitScale = view.scale;
    }

    /* At LARGE papers and more, the whole graph unzoomed is a grid of dots: it shows the CROWD most cited papers
       and the citations between them until the reader zooms in, filters or focuses. */
    function thin() {
      var whole = shownCount === data.papers.length;
      crowded = data.papers.length > LARGE && whole && view.scale < fitScale * 2;
      drawn = crowded ? visible.map(function (v, i) { return v && crowd.has(i); }) : visible;
    }

    function zoomAt(factor, sx, sy) {
      var next = Math.max(0.05, Math.min(80, view.scale * factor));
      view.tx = sx - (sx - view.tx) * (next / view.scale);
      view.ty = sy - (sy - view.ty) * (next / view.scale);
      view.scale = next;
      touched = true;
      schedule();
    }

    function radius(p) { return Math.max(2, p.r * view.scale); }

    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; draw(); });
    }

    function strokeEdges(ctx, list, from) {
      list.forEach(function (q) {
        if (!drawn[q]) return;
        var a = toScreen(from), b = toScreen(data.papers[q]);
        ctx.moveTo(a[0], a[1]);
        ctx.lineTo(b[0], b[1]);
      });
    }

    function inView(p) {
      var s = toScreen(p);
      return s[0] >= 0 && s[1] >= 0 && s[0] <= size.w && s[1] <= size.h;
    }

    /* Every citation with an end in view, or an even sample of them when there are more than MAX_LINES: drawing
       stays fast at any size, and zooming in shows every line of the smaller area. */
    function drawLines(ctx, fg) {
      var shown = data.papers.map(function (p) { return drawn[p.num] && inView(p); });
      var total = 0;
      data.papers.forEach(function (p) {
        if (!drawn[p.num]) return;
        p.out.forEach(function (q) { if (drawn[q] && (shown[p.num] || shown[q])) total++; });
      });
      var stride = Math.max(1, Math.ceil(total / MAX_LINES));
      var seen = 0;
      ctx.globalAlpha = Math.min(0.5, Math.max(0.06, 3 / Math.sqrt(Math.min(total, MAX_LINES) || 1)));
      ctx.strokeStyle = fg;
      ctx.lineWidth = 0.6;
      ctx.beginPath();
      data.papers.forEach(function (p) {
        if (!drawn[p.num]) return;
        p.out.forEach(function (q) {
          if (!drawn[q] || !(shown[p.num] || shown[q]) || seen++ % stride) return;
          var a = toScreen(p), b = toScreen(data.papers[q]);
          ctx.moveTo(a[0], a[1]);
          ctx.lineTo(b[0], b[1]);
        });
      });
      ctx.stroke();
      if (stride > 1) linesNote.textContent = " (1 in " + stride + " at this zoom)";
    }

    function draw() {
      var ratio = window.devicePixelRatio || 1;
      var ctx = canvas.getContext("2d");
      var style = getComputedStyle(canvas);
      var fg = style.color;
      var accent = style.getPropertyValue("--md-accent-fg-color").trim() || "#526cfe";
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      thin();
      renderStatus();
      ctx.clearRect(0, 0, size.w, size.h);
      ctx.fillStyle = fg;
      ctx.globalAlpha = 0.6;
      ctx.font = "11px sans-serif";
      ctx.textAlign = "center";
      data.raw.years.forEach(function (y) { ctx.fillText(String(y[0]), y[1] * view.scale + view.tx, 12); });
      linesNote.textContent = "";
      if (lines.checked) drawLines(ctx, fg);
      [selected, hovered].forEach(function (p) {
        if (!p || !visible[p.num]) return;
        ctx.globalAlpha = 0.9;
        ctx.lineWidth = 1.4;
        ctx.strokeStyle = accent;
        ctx.beginPath();
        strokeEdges(ctx, p.out, p);
        strokeEdges(ctx, p.into, p);
        ctx.stroke();
      });
      ctx.globalAlpha = 1;
      colours.groups.forEach(function (group) {
        ctx.fillStyle = group.colour;
        ctx.beginPath();
        data.papers.forEach(function (p) {
          if (!(drawn[p.num] || p === selected && visible[p.num]) || colours.groupOf[p.num] !== group) return;
          var s = toScreen(p), r = radius(p);
          if (s[0] < -r || s[1] < -r || s[0] > size.w + r || s[1] > size.h + r) return;
          ctx.moveTo(s[0] + r, s[1]);
          ctx.arc(s[0], s[1], r, 0, 2 * Math.PI);
        });
        ctx.fill();
      });
      var rings = matches.slice();
      if (hovered) rings.push(hovered);
      if (state.focus) rings.push(state.focus);
      ctx.strokeStyle = fg;
      ctx.lineWidth = 2;
      rings.forEach(function (p) {
        if (!visible[p.num]) return;
        var s = toScreen(p);
        ctx.beginPath();
        ctx.arc(s[0], s[1], radius(p) + 3, 0, 2 * Math.PI);
        ctx.stroke();
      });
      if (selected && visible[selected.num]) {
        var c = toScreen(selected);
        ctx.strokeStyle = accent;
        ctx.lineWidth = 3;
        ctx.beginPath();
        ctx.arc(c[0], c[1], radius(selected) + 5, 0, 2 * Math.PI);
        ctx.stroke();
      }
      root.setAttribute("data-view", [view.scale, view.tx, view.ty].map(function (v) { return v.toFixed(4); }).join(" "));
    }

    function hit(sx, sy) {
      var x = (sx - view.tx) / view.scale, y = (sy - view.ty) / view.scale;
      var cx = Math.floor(x / data.cell), cy = Math.floor(y / data.cell);
      var best = null, bestDistance = Infinity;
      var reach = Math.min(8, Math.ceil(Math.max(6 / view.scale, data.cell) / data.cell));
      for (var i = -reach; i <= reach; i++) {
        for (var j = -reach; j <= reach; j++) {
          (data.grid.get((cx + i) + ":" + (cy + j)) || []).forEach(function (p) {
            if (!drawn[p.num]) return;
            var s = toScreen(p);
            var d = Math.hypot(s[0] - sx, s[1] - sy);
            if (d <= Math.max(radius(p), 6) && d < bestDistance) { best = p; bestDistance = d; }
          });
        }
      }
      return best;
    }

    function showTip(p, sx, sy) {
      if (!p) { tip.hidden = true; return; }
      tip.textContent = "";
      tip.appendChild(el("strong", { text: p.title }));
      tip.appendChild(el("span", { text: " " + p.year + " · cites " + p.out.length + " · cited by " + p.into.length +
        " in this collection" }));
      tip.hidden = false;
      tip.style.left = Math.min(sx + 12, Math.max(0, size.w - 260)) + "px";
      tip.style.top = sy + 12 + "px";
    }

    function pageOf(p) { return base + "papers/" + encodeURIComponent(p.id) + "/"; }

    function tagsOf(p) {
      return p.own.map(function (k) { return data.nodes[k].label; }).join(", ") || "no tags";
    }

    /* The side panel of the selected paper: a click selects, the panel's link opens the page. */
    function select(p) {
      selected = p;
      panel.textContent = "";
      panel.hidden = !p;
      if (p) {
        var focusHere = el("button", { type: "button", text: "Focus here" });
        focusHere.addEventListener("click", function () { setFocus(p); });
        var close = el("button", { type: "button", text: "Close" });
        close.addEventListener("click", function () { select(null); canvas.focus(); });
        panel.appendChild(el("h2", { className: "sb-graph__title", text: p.title }));
        panel.appendChild(el("p", { text: p.year + " · cites " + p.out.length + " · cited by " + p.into.length +
          " in this collection" }));
        panel.appendChild(el("p", { className: "sb-graph__tags", text: "Tags: " + tagsOf(p) }));
        panel.appendChild(el("div", { className: "sb-toolbar" }, [
          el("a", { className: "sb-graph__open", href: pageOf(p), text: "Open page" }), focusHere, close]));
      }
      schedule();
    }

    function setFocus(p) {
      state.focus = p;
      touched = false;
      update();
      if (p) select(p);
    }

    function renderFocus() {
      focusBox.textContent = "";
      focusBox.hidden = !state.focus;
      if (!state.focus) return;
      var f = state.focus;
      var whole = el("button", { type: "button", text: "Whole graph" });
      whole.addEventListener("click", function () { setFocus(null); });
      focusBox.appendChild(el("p", {}, [document.createTextNode("Around "), el("strong", { text: f.title }),
        document.createTextNode(" (" + f.year + "): the papers it cites and that cite it in this collection" +
          (state.hops === 2 ? ", and theirs. " : ". "))]));
      focusBox.appendChild(el("div", { className: "sb-toolbar" }, [
        el("label", { for: "sb-graph-hops" }, [hops, document.createTextNode(" Two hops")]), whole]));
      /* the view's papers as a list too: readable without the canvas, and each one selectable by keyboard */
      var list = el("ul", { className: "sb-graph__near", "aria-label": "Papers in this view" });
      data.papers.filter(function (p) { return visible[p.num]; }).sort(displayOrder).forEach(function (p) {
        var role = p === f ? "this paper" : f.out.indexOf(p.num) >= 0 ? "cited" : f.into.indexOf(p.num) >= 0
          ? "cites it" : "two hops";
        var button = el("button", { type: "button", className: "sb-graph__pick", "data-id": p.id,
          text: p.title + " (" + p.year + ")" });
        button.addEventListener("click", function () { select(p); });
        list.appendChild(el("li", {}, [button, el("span", { className: "sb-count", text: role })]));
      });
      focusBox.appendChild(list);
    }

    function renderLegend() {
      legend.textContent = "";
      colours.groups.forEach(function (g) {
        var swatch = el("span", { className: "sb-graph__swatch", "aria-hidden": "true" });
        swatch.style.background = g.colour;
        legend.appendChild(el("li", {}, [swatch, document.createTextNode(" " + g.label + " "),
          el("span", { className: "sb-count", text: String(g.count) })]));
      });
    }

    function renderMatches() {
      found.textContent = "";
      matches.slice(0, MATCHES_LISTED).forEach(function (p) {
        found.appendChild(el("li", {}, [el("a", { href: pageOf(p),
          text: p.title + " (" + p.year + ")" })]));
      });
      if (matches.length > MATCHES_LISTED) {
        found.appendChild(el("li", { text: "and " + (matches.length - MATCHES_LISTED) + " more" }));
      }
    }

    function update() {
      visible = visibility(data, state);
      shownCount = visible.filter(Boolean).length;
      var choice = choices.filter(function (c) { return c.value === state.colour; })[0];
      colours = !choice ? { groups: [], groupOf: [] } : choice.node ? nodeGroups(data, choice.node, visible)
        : colourGroups(data, choice.facet, visible);
      renderLegend();
      renderFocus();
      if (selected && !visible[selected.num]) select(null);
      if (!touched) fit();
      thin();
      renderStatus();
      writeState(data, state);
      schedule();
    }

    /* on every change and every frame (zooming ends the crowded view); the live region hears only changes */
    function renderStatus() {
      var message = shownCount + " of " + data.papers.length + " papers shown" +
        (matches.length ? ", " + matches.length + " found" : "") +
        (crowded ? "; the " + CROWD + " most cited are drawn until you zoom in, filter or focus" : "");
      if (status.textContent !== message) status.textContent = message;
    }

    function resize() {
      if (!document.body.contains(root)) { observer.disconnect(); return; }
      var ratio = window.devicePixelRatio || 1;
      size.w = Math.max(200, stage.clientWidth);
      /* as tall as the picture needs at this width, within bounds that fit a screen */
      size.h = Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT,
        (size.w - 2 * MARGIN) * data.raw.h / Math.max(data.raw.w, 1) + 2 * MARGIN)));
      canvas.width = Math.round(size.w * ratio);
      canvas.height = Math.round(size.h * ratio);
      canvas.style.height = size.h + "px";
      if (!touched) fit();
      schedule();
    }

    /* pointer: drag pans, a click without movement opens the paper under the pointer */
    var drag = null;
    canvas.addEventListener("pointerdown", function (event) {
      drag = { x: event.clientX, y: event.clientY, tx: view.tx, ty: view.ty, moved: false };
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", function (event) {
      var box = canvas.getBoundingClientRect();
      var sx = event.clientX - box.left, sy = event.clientY - box.top;
      if (drag) {
        var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 4) drag.moved = true;
        if (drag.moved) {
          view.tx = drag.tx + dx; view.ty = drag.ty + dy; touched = true;
          showTip(null); schedule();
          return;
        }
      }
      var p = hit(sx, sy);
      canvas.style.cursor = p ? "pointer" : "grab";
      if (p !== hovered) { hovered = p; schedule(); }
      showTip(p, sx, sy);
    });
    canvas.addEventListener("pointerup", function (event) {
      var wasDrag = drag && drag.moved;
      drag = null;
      if (wasDrag) return;
      var box = canvas.getBoundingClientRect();
      select(hit(event.clientX - box.left, event.clientY - box.top));
    });
    canvas.addEventListener("pointerleave", function () {
      if (drag) return;
      hovered = null; showTip(null); schedule();
    });
    canvas.addEventListener("wheel", function (event) {
      event.preventDefault();
      var box = canvas.getBoundingClientRect();
      zoomAt(event.deltaY < 0 ? 1.2 : 1 / 1.2, event.clientX - box.left, event.clientY - box.top);
    }, { passive: false });
    canvas.addEventListener("keydown", function (event) {
      var step = 40, handled = true;
      if (event.key === "ArrowLeft") view.tx += step;
      else if (event.key === "ArrowRight") view.tx -= step;
      else if (event.key === "ArrowUp") view.ty += step;
      else if (event.key === "ArrowDown") view.ty -= step;
      else if (event.key === "+" || event.key === "=") { zoomAt(1.25, size.w / 2, size.h / 2); }
      else if (event.key === "-") { zoomAt(0.8, size.w / 2, size.h / 2); }
      else if (event.key === "0") { touched = false; fit(); }
      else if (event.key === "n" || event.key === "p") { walk(event.key === "n" ? 1 : -1); }
      else if (event.key === "Escape" && selected) { select(null); }
      else if (event.key === "Enter" && selected) { panel.querySelector("a").focus(); }
      else handled = false;
      /* handled keys stay here: the theme binds N and P to its next and previous page */
      if (handled) { event.preventDefault(); event.stopPropagation(); touched = touched || event.key !== "0"; schedule(); }
    });

    /* N and P walk through the papers shown, in the site's order, selecting each and bringing it into view. */
    function walk(by) {
      var list = data.papers.filter(function (p) { return drawn[p.num]; }).sort(displayOrder);
      if (!list.length) return;
      var at = selected ? list.indexOf(selected) : -1;
      var p = list[(at + by + list.length) % list.length];
      if (at < 0 && by < 0) p = list[list.length - 1];
      var s = toScreen(p);
      if (s[0] < MARGIN || s[1] < MARGIN || s[0] > size.w - MARGIN || s[1] > size.h - MARGIN) {
        view.tx += size.w / 2 - s[0]; view.ty += size.h / 2 - s[1]; touched = true;
      }
      select(p);
    }

    hops.addEventListener("change", function () { state.hops = hops.checked ? 2 : 1; touched = false; update(); });
    zoomIn.addEventListener("click", function () { zoomAt(1.25, size.w / 2, size.h / 2); });
    zoomOut.addEventListener("click", function () { zoomAt(0.8, size.w / 2, size.h / 2); });
    reset.addEventListener("click", function () { touched = false; fit(); update(); });
    lines.addEventListener("change", schedule);
    colourSelect.addEventListener("change", function () { state.colour = colourSelect.value; update(); });
    boxes.forEach(function (b) {
      b.input.addEventListener("change", function () {
        if (b.input.checked) state.sel[b.facet.id].add(b.node.id); else state.sel[b.facet.id].delete(b.node.id);
        touched = false;
        update();
      });
    });
    clear.addEventListener("click", function () {
      boxes.forEach(function (b) { b.input.checked = false; state.sel[b.facet.id].clear(); });
      touched = false;
      update();
    });
    find.addEventListener("input", function () {
      var terms = find.value.toLowerCase().split(/\s+/).filter(Boolean);
      matches = !terms.length ? [] : data.papers.filter(function (p) {
        return terms.every(function (t) { return p.haystack.indexOf(t) >= 0; });
      }).sort(displayOrder);
      renderMatches();
      update();
    });
    find.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || !matches.length) return;
      event.preventDefault();
      var s = toScreen(matches[0]);
      view.tx += size.w / 2 - s[0]; view.ty += size.h / 2 - s[1]; touched = true;
      select(matches[0]);
    });

    colourSelect.value = state.colour;
    hops.checked = state.hops === 2;
    boxes.forEach(function (b) { b.input.checked = state.sel[b.facet.id].has(b.node.id); });
    toggles.forEach(function (t) { if (state.sel[t.facet.id].size) setOpen(t.toggle, t.panel, true); });
    var observer = new ResizeObserver(resize);
    observer.observe(stage);
    update();
    resize();
    update();  /* again, now that the stage has its size: the view fits the papers shown */
    if (state.focus) select(state.focus);
    draw();
    root.setAttribute("data-state", "ready");
  }

  window.SSMLKB.mountFromData("sb-graph", "data-graph", prepare, mount, function (message) {
    return "The citation graph could not be loaded (" + message + "). Reload the page; every paper page also " +
      "lists its citations.";
  });
})();
