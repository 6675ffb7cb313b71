/*
 * Explore page: every paper of the collection in one table, filtered in the browser.
 *
 * Reads the compact index written at build time (explore/papers-index.json; its shape is documented in
 * site_builder/explore_index.py). Filters combine with AND across facets and OR within a facet; a tag on a
 * child node implies its ancestors. Counts next to each facet value say how many papers that value would give
 * with the other filters kept. The state lives in the query string, so a reload or a shared link restores it.
 * Works with the theme's instant navigation (document$) and without it (see common.js). No third-party code.
 * The free-text filter is "text" in the query string: the theme itself reads "q" to open its search dialog.
 */
(function () {
  "use strict";

  /* 100 rows a page: at 20,000 papers each interaction rebuilds and lays out the visible rows, and on a slow
     machine 200 rows kept a filter click above 100 ms. "Show more" adds the next hundred. */
  var ROWS_PER_PAGE = 100;
  var TEXT_DELAY_MS = 120;
  var FLAG_CODE = 1;
  var FLAG_HYBRID = 4;

  var el = window.SSMLKB.el;

  /* ---- the index ---- */

  /* Sets of papers are bit sets: one bit per paper, in index order, 32 to a word of a Uint32Array. Filtering and
     counting are then a few hundred word operations per facet value instead of a loop over every paper. */
  function bitSet(words) { return new Uint32Array(words); }

  function prepare(raw) {
    var col = {};
    raw.cols.forEach(function (name, i) { col[name] = i; });
    var words = Math.ceil(raw.papers.length / 32) || 1;
    var nodes = raw.nodes.map(function (n, i) {
      return { num: i, facet: n[0], id: n[1], label: n[2], parent: n[3], depth: 0, papers: bitSet(words) };
    });
    nodes.forEach(function (n) { n.depth = n.parent >= 0 ? nodes[n.parent].depth + 1 : 0; });
    var facets = raw.facets.map(function (f, i) {
      return { pos: i, id: f[0], label: f[1], nodes: nodes.filter(function (n) { return n.facet === i; }) };
    });
    var all = bitSet(words), code = bitSet(words), hybrid = bitSet(words);
    var years = new Int32Array(raw.papers.length);
    var papers = raw.papers.map(function (row, order) {
      var w = order >> 5, bit = 1 << (order & 31);
      var own = row[col.tags];
      own.forEach(function (num) {  /* a tag implies its ancestors */
        for (var k = num; k >= 0 && !(nodes[k].papers[w] & bit); k = nodes[k].parent) nodes[k].papers[w] |= bit;
      });
      var p = {
        order: order, id: row[col.id], title: row[col.title], authors: row[col.authors], year: row[col.year],
        venue: row[col.venue], kind: raw.kinds[row[col.kind]], type: raw.types[row[col.type]],
        flags: row[col.flags], own: own, arxiv: row[col.arxiv], doi: row[col.doi]
      };
      p.haystack = [p.title, p.authors, p.venue, p.id, p.arxiv, p.doi].join(" ").toLowerCase();
      all[w] |= bit;
      if (p.flags & FLAG_CODE) code[w] |= bit;
      if (p.flags & FLAG_HYBRID) hybrid[w] |= bit;
      years[order] = p.year;
      return p;
    });
    var minYear = Infinity, maxYear = -Infinity;
    years.forEach(function (y) { if (y < minYear) minYear = y; if (y > maxYear) maxYear = y; });
    return {
      facets: facets, nodes: nodes, papers: papers, words: words, all: all, code: code, hybrid: hybrid,
      years: years, orders: {},
      minYear: papers.length ? minYear : 0,
      maxYear: papers.length ? maxYear : 0
    };
  }

  /* ---- state <-> query string ---- */

  function emptyState(data) {
    var sel = {};
    data.facets.forEach(function (f) { sel[f.id] = new Set(); });
    return { q: "", from: "", to: "", code: false, hybrid: false, sort: "year", sel: sel };
  }

  function readState(data, search) {
    var state = emptyState(data);
    var params = new URLSearchParams(search);
    state.q = params.get("text") || "";
    state.from = /^\d{4}$/.test(params.get("from") || "") ? params.get("from") : "";
    state.to = /^\d{4}$/.test(params.get("to") || "") ? params.get("to") : "";
    state.code = params.get("code") === "1";
    state.hybrid = params.get("hybrid") === "1";
    state.sort = ["year", "year-asc", "title"].indexOf(params.get("sort")) >= 0 ? params.get("sort") : "year";
    data.facets.forEach(function (f) {
      var known = new Set(f.nodes.map(function (n) { return n.id; }));
      (params.get(f.id) || "").split(",").forEach(function (v) { if (known.has(v)) state.sel[f.id].add(v); });
    });
    return state;
  }

  function writeState(data, state) {
    var params = new URLSearchParams();
    if (state.q) params.set("text", state.q);
    data.facets.forEach(function (f) {
      var chosen = f.nodes.filter(function (n) { return state.sel[f.id].has(n.id); });
      if (chosen.length) params.set(f.id, chosen.map(function (n) { return n.id; }).join(","));
    });
    if (state.from) params.set("from", state.from);
    if (state.to) params.set("to", state.to);
    if (state.code) params.set("code", "1");
    if (state.hybrid) params.set("hybrid", "1");
    if (state.sort !== "year") params.set("sort", state.sort);
    var query = params.toString().replace(/%2C/g, ",");
    var url = location.pathname + (query ? "?" + query : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
  }

  /* ---- filtering and counting ---- */

  /* The papers passing the text and year filters. Kept while those two are unchanged (a facet click reuses it);
     a longer query that keeps every term of the previous one only needs to look at the previous matches. */
  function baseSet(data, state, memo) {
    var key = state.q.toLowerCase() + "\n" + state.from + "\n" + state.to;
    if (memo.key === key) return memo.set;
    var terms = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    var from = state.from ? +state.from : -Infinity;
    var to = state.to ? +state.to : Infinity;
    var set;
    if (!terms.length && !state.from && !state.to) {
      set = data.all;
    } else {
      var within = data.all;
      if (memo.set && memo.from === state.from && memo.to === state.to && memo.terms.every(function (old) {
        return terms.some(function (t) { return t.indexOf(old) >= 0; });
      })) within = memo.set;
      set = bitSet(data.words);
      var papers = data.papers, years = data.years;
      for (var w = 0; w < within.length; w++) {
        for (var bits = within[w]; bits; bits &= bits - 1) {
          var i = (w << 5) + (31 - Math.clz32(bits & -bits));
          if (years[i] < from || years[i] > to) continue;
          var haystack = papers[i].haystack, t = 0;
          while (t < terms.length && haystack.indexOf(terms[t]) >= 0) t++;
          if (t === terms.length) set[w] |= 1 << (i & 31);
        }
      }
    }
    memo.key = key; memo.set = set; memo.terms = terms; memo.from = state.from; memo.to = state.to;
    return set;
  }

  /* Each active filter as a set of papers: a facet's chosen values OR-ed, or a flag. */
  function activeFilters(data, state) {
    var filters = [];
    data.facets.forEach(function (f) {
      var set = null;
      f.nodes.forEach(function (n) {
        if (!state.sel[f.id].has(n.id)) return;
        if (!set) set = n.papers.slice();
        else for (var w = 0; w < set.length; w++) set[w] |= n.papers[w];
      });
      if (set) filters.push({ key: f.pos, set: set });
    });
    if (state.code) filters.push({ key: "code", set: data.code });
    if (state.hybrid) filters.push({ key: "hybrid", set: data.hybrid });
    return filters;
  }

  function intersect(base, filters, skip) {
    var out = base.slice();
    filters.forEach(function (f) {
      if (f.key === skip) return;
      for (var w = 0; w < out.length; w++) out[w] &= f.set[w];
    });
    return out;
  }

  function countIn(a, b) {
    var total = 0;
    for (var w = 0; w < a.length; w++) {
      var v = a[w] & b[w];
      if (!v) continue;
      v = v - ((v >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      total += (((v + (v >>> 4)) & 0x0F0F0F0F) * 0x01010101) >>> 24;
    }
    return total;
  }

  /* The papers of the sort order `sort`, as positions in the index (computed once per order). The index is
     newest first; ties keep the index order. */
  function sortOrder(data, sort) {
    if (data.orders[sort]) return data.orders[sort];
    var papers = data.papers.slice();
    if (sort === "title") {
      papers.sort(function (a, b) { return a.title.localeCompare(b.title) || a.order - b.order; });
    } else if (sort === "year-asc") {
      papers.sort(function (a, b) { return a.year - b.year || a.order - b.order; });
    }
    return (data.orders[sort] = Int32Array.from(papers, function (p) { return p.order; }));
  }

  /* The result passes every filter. The count of a facet value is the size of the result if the user changed
     that facet alone: the papers with that value passing every other filter. */
  function evaluate(data, state, memo) {
    var base = baseSet(data, state, memo);
    var filters = activeFilters(data, state);
    var set = intersect(base, filters, null);
    var others = {};
    function without(key) {
      var active = filters.some(function (f) { return f.key === key; });
      return active ? (others[key] || (others[key] = intersect(base, filters, key))) : set;
    }
    var counts = new Int32Array(data.nodes.length);
    data.nodes.forEach(function (n) { counts[n.num] = countIn(without(n.facet), n.papers); });
    var flagCounts = { code: countIn(without("code"), data.code), hybrid: countIn(without("hybrid"), data.hybrid) };
    var result = [];
    var order = sortOrder(data, state.sort);
    for (var k = 0; k < order.length; k++) {
      var i = order[k];
      if (set[i >> 5] & (1 << (i & 31))) result.push(data.papers[i]);
    }
    return { papers: result, counts: counts, flags: flagCounts };
  }

  /* ---- exports: each paper's BibTeX entry and CSV row are taken from the downloads written at build
     (downloads/papers.bib and papers.csv), so a selection has the same bytes as the same papers there ---- */

  var downloadsCache = {};

  function fetchText(url) {
    return downloadsCache[url] || (downloadsCache[url] = fetch(url).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
      return response.text();
    }));
  }

  /* papers.bib: entries (each "@type{id,...}\n") joined by "\n\n"; by id. */
  function bibEntries(text) {
    var byId = {};
    text.split(/\n\n(?=@)/).forEach(function (entry) {
      var m = /^@\w+\{([^,\s]+),/.exec(entry);
      if (m) byId[m[1]] = entry;
    });
    return byId;
  }

  /* papers.csv: RFC 4180 records ("\n" line ends, quoted fields may hold newlines); the header and each row by
     its first field, the paper's id. */
  function csvRecords(text) {
    var rows = [], start = 0, quoted = false;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (ch === '"') quoted = !quoted;
      else if (ch === "\n" && !quoted) { rows.push(text.slice(start, i + 1)); start = i + 1; }
    }
    var byId = {};
    rows.slice(1).forEach(function (row) { byId[row.slice(0, row.indexOf(","))] = row; });
    return { header: rows[0] || "", byId: byId };
  }

  function bibtexOf(papers, text) {
    var byId = bibEntries(text);
    return papers.map(function (p) { return byId[p.id]; }).filter(Boolean).join("\n\n");
  }

  function csvOf(papers, text) {
    var records = csvRecords(text);
    return records.header + papers.map(function (p) { return records.byId[p.id] || ""; }).join("");
  }

  function download(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var link = el("a", { href: url, download: name });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  /* ---- the form and the table ---- */

  function option(type, name, value, labelText, id) {
    var input = el("input", { type: type, name: name, value: value, id: id });
    var count = el("span", { className: "sb-count", "aria-hidden": "true" });
    var label = el("label", { className: "sb-opt", for: id }, [input, document.createTextNode(" " + labelText + " "), count]);
    return { input: input, count: count, label: label };
  }

  function mount(root, data) {
    var state = readState(data, location.search);
    var shown = ROWS_PER_PAGE;
    var base = root.getAttribute("data-root") || "../";
    var current = null;

    var q = el("input", { type: "search", id: "sb-q", name: "q", autocomplete: "off",
      placeholder: "e.g. contrastive audio" });
    var from = el("input", { type: "number", id: "sb-from", name: "from", min: data.minYear, max: data.maxYear,
      placeholder: String(data.minYear) });
    var to = el("input", { type: "number", id: "sb-to", name: "to", min: data.minYear, max: data.maxYear,
      placeholder: String(data.maxYear) });
    var code = option("checkbox", "code", "1", "Has code", "sb-code");
    var hybrid = option("checkbox", "hybrid", "1", "Hybrid objectives (two or more)", "sb-hybrid");
    var clear = el("button", { type: "button", className: "sb-clear", text: "Clear all filters" });
    var boxes = [];
    var fieldsets = data.facets.map(function (f) {
      var items = f.nodes.map(function (n) {
        var box = option("checkbox", f.id, n.id, n.label, "sb-f-" + f.id + "-" + n.id);
        box.label.style.paddingLeft = n.depth * 1.1 + "em";
        box.node = n;
        boxes.push(box);
        return box.label;
      });
      return el("fieldset", { "data-facet": f.id }, [el("legend", { text: f.label })].concat(items));
    });
    var form = el("form", { className: "sb-explore__filters", "aria-label": "Filters", role: "search" }, [
      el("label", { for: "sb-q", text: "Search titles, authors and venues" }), q,
      el("fieldset", {}, [el("legend", { text: "Year" }), el("label", { for: "sb-from", text: "From " }), from,
        el("label", { for: "sb-to", text: " to " }), to]),
      el("fieldset", {}, [el("legend", { text: "Code and objectives" }), code.label, hybrid.label])
    ].concat(fieldsets, [clear]));
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    var status = el("p", { className: "sb-status", role: "status", "aria-live": "polite" });
    var sort = el("select", { id: "sb-sort", name: "sort" }, [
      el("option", { value: "year", text: "Newest first" }), el("option", { value: "year-asc", text: "Oldest first" }),
      el("option", { value: "title", text: "Title" })]);
    var exportBib = el("button", { type: "button", "data-export": "bib", text: "Export BibTeX" });
    var exportCsv = el("button", { type: "button", "data-export": "csv", text: "Export CSV" });
    var tbody = el("tbody");
    var table = el("table", {}, [
      el("thead", {}, [el("tr", {}, ["Paper", "Year", "Venue", "Code"].map(function (h) {
        return el("th", { scope: "col", text: h });
      }))]), tbody]);
    var more = el("button", { type: "button", className: "sb-more", text: "Show more" });
    var results = el("div", { className: "sb-explore__results" }, [
      el("div", { className: "sb-toolbar" }, [status, el("label", { for: "sb-sort", text: "Sort " }), sort,
        exportBib, exportCsv]),
      el("div", { className: "sb-papers" }, [table]), more]);
    root.textContent = "";
    root.appendChild(el("div", { className: "sb-explore__layout" }, [form, results]));

    function syncForm() {
      q.value = state.q; from.value = state.from; to.value = state.to; sort.value = state.sort;
      code.input.checked = state.code; hybrid.input.checked = state.hybrid;
      boxes.forEach(function (b) { b.input.checked = state.sel[data.facets[b.node.facet].id].has(b.node.id); });
    }

    /* The table keeps its row elements: an interaction rewrites the text of the rows whose paper changed and adds
       or removes rows only at the end (fresh elements would each need their style computed again). */
    var slots = [];
    var attached = 0;
    function slot(i) {
      if (slots[i]) return slots[i];
      var s = { order: -1, texts: ["", "", "", "", ""].map(function (t) { return document.createTextNode(t); }),
        link: el("a") };
      s.link.appendChild(s.texts[0]);
      s.row = el("tr", {}, [el("td", {}, [s.link, el("br"), el("span", { className: "sb-authors" }, [s.texts[1]])]),
        el("td", {}, [s.texts[2]]), el("td", {}, [s.texts[3]]), el("td", {}, [s.texts[4]])]);
      return (slots[i] = s);
    }

    /* Only the texts that differ are set: each change costs the browser work, and neighbouring papers often
       share a year, a venue or the code column. */
    function fill(s, p) {
      if (s.order === p.order) return;
      s.order = p.order;
      s.row.setAttribute("data-id", p.id);
      s.link.setAttribute("href", base + "papers/" + p.id + "/");
      if (p.short === undefined) p.short = shortAuthors(p.authors);
      var texts = [p.title, p.short, String(p.year), p.venue,
        p.flags & FLAG_CODE ? (p.flags & 2 ? "official" : "yes") : ""];
      for (var k = 0; k < texts.length; k++) if (s.texts[k].data !== texts[k]) s.texts[k].data = texts[k];
    }

    /* Rows [from, to) show the current result; the rows on the page are always the first `attached`. */
    function showRows(from, to) {
      var added = document.createDocumentFragment();
      for (var i = from; i < to; i++) {
        fill(slot(i), current.papers[i]);
        if (i >= attached) added.appendChild(slots[i].row);
      }
      tbody.appendChild(added);
      attached = Math.max(attached, to);
    }

    /* How many rows can be in view once filled: from the top of the table to the bottom of the window, rows at least
       3rem high (a row holds two lines of 0.75rem text, title and authors, and its padding: about 3.8rem). Read
       before the page is changed, while its layout is clean, so the reads cost nothing. */
    var rowFloor = 3 * (parseFloat(getComputedStyle(document.documentElement).fontSize) || 16);
    function rowsInView() {
      return Math.max(0, Math.ceil((window.innerHeight - tbody.getBoundingClientRect().top) / rowFloor));
    }

    /* An interaction fills the rows that can be in view before the browser paints, and the others of the page of
       100 once that frame is painted and the tasks then waiting have run: a click waits for the layout of a
       screenful of rows instead of 100. The query string follows at the same time: history.replaceState costs
       several ms in Chromium. Nothing runs once the page has been left (the theme's instant navigation replaces
       the page, not the script). */
    var path = location.pathname;
    var restFrom = 0;
    var pending = false;
    function afterPaint() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () {
        setTimeout(function () {
          setTimeout(function () {
            pending = false;
            if (!root.isConnected || location.pathname !== path) return;
            showRows(restFrom, Math.min(shown, current.papers.length));
            writeState(data, state);
          }, 0);
        }, 0);
      });
    }

    function renderRows(inView) {
      var count = Math.min(shown, current.papers.length);
      while (attached > count) tbody.removeChild(slots[--attached].row);
      restFrom = Math.min(count, inView);
      showRows(0, restFrom);
      var left = current.papers.length - shown;
      if (more.hidden !== (left <= 0)) more.hidden = left <= 0;
      setText(more, "Show " + Math.min(left, ROWS_PER_PAGE) + " more (" + left + " not shown)");
    }

    var memo = {};
    function update() {
      var inView = current ? rowsInView() : Infinity;  /* the first view is complete at once */
      current = evaluate(data, state, memo);
      shown = ROWS_PER_PAGE;
      boxes.forEach(function (b) {
        var n = current.counts[b.node.num];
        if (b.shown === n) return;  /* touch the page only where a count changed */
        b.shown = n;
        b.count.textContent = String(n);
        if (b.label.classList.contains("sb-opt--zero") !== (n === 0)) b.label.classList.toggle("sb-opt--zero");
        b.input.setAttribute("aria-label", b.node.label + ", " + n + " papers");
      });
      setText(code.count, String(current.flags.code));
      setText(hybrid.count, String(current.flags.hybrid));
      setText(status, current.papers.length + " of " + data.papers.length + " papers");
      renderRows(inView);
      afterPaint();
    }

    var timer = null;
    q.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.q = q.value.trim(); update(); }, TEXT_DELAY_MS);
    });
    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t === q) return;
      if (t === from || t === to) {
        state.from = /^\d{4}$/.test(from.value) ? from.value : "";
        state.to = /^\d{4}$/.test(to.value) ? to.value : "";
      } else if (t === code.input) {
        state.code = t.checked;
      } else if (t === hybrid.input) {
        state.hybrid = t.checked;
      } else if (t.name && state.sel[t.name]) {
        if (t.checked) state.sel[t.name].add(t.value); else state.sel[t.name].delete(t.value);
      }
      update();
    });
    sort.addEventListener("change", function () { state.sort = sort.value; update(); });
    clear.addEventListener("click", function () { state = emptyState(data); syncForm(); update(); q.focus(); });
    more.addEventListener("click", function () { shown += ROWS_PER_PAGE; renderRows(Infinity); });
    function selection() { return current.papers.slice().sort(function (a, b) { return a.order - b.order; }); }
    function exporter(button, url, name, type, serialise) {
      button.addEventListener("click", function () {
        var papers = selection();
        fetchText(url).then(function (text) {
          download(name, type, serialise(papers, text));
        }).catch(function (error) { button.title = "Export failed: " + error.message; });
      });
    }
    exporter(exportBib, base + "downloads/papers.bib", "papers-selection.bib", "application/x-bibtex", bibtexOf);
    exporter(exportCsv, base + "downloads/papers.csv", "papers-selection.csv", "text/csv", csvOf);

    syncForm();
    update();
    root.setAttribute("data-state", "ready");
  }

  /* Setting a text, even the same one, makes the browser lay the element out again. */
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function shortAuthors(authors) {
    var names = authors.split("; ");
    return names.length <= 3 ? names.join(", ") : names.slice(0, 3).join(", ") + " et al.";
  }

  window.SSMLKB.mountFromData("sb-explore", "data-index", prepare, mount, function (message) {
    return "The paper index could not be loaded (" + message + "). Reload the page, or download papers.csv from " +
      "the downloads page.";
  });
})();
