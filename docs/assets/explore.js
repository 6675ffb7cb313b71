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

  function prepare(raw) {
    var col = {};
    raw.cols.forEach(function (name, i) { col[name] = i; });
    var words = Math.ceil(raw.nodes.length / 32) || 1;
    var nodes = raw.nodes.map(function (n, i) {
      return { num: i, facet: n[0], id: n[1], label: n[2], parent: n[3], depth: 0 };
    });
    nodes.forEach(function (n) { n.depth = n.parent >= 0 ? nodes[n.parent].depth + 1 : 0; });
    var facets = raw.facets.map(function (f, i) {
      return { pos: i, id: f[0], label: f[1], nodes: nodes.filter(function (n) { return n.facet === i; }) };
    });
    var papers = raw.papers.map(function (row, order) {
      var own = row[col.tags];
      var closure = [];
      var bits = new Uint32Array(words);
      own.forEach(function (num) {
        for (var k = num; k >= 0; k = nodes[k].parent) {
          if (bits[k >> 5] & (1 << (k & 31))) break;
          bits[k >> 5] |= 1 << (k & 31);
          closure.push(k);
        }
      });
      var p = {
        order: order, id: row[col.id], title: row[col.title], authors: row[col.authors], year: row[col.year],
        venue: row[col.venue], kind: raw.kinds[row[col.kind]], type: raw.types[row[col.type]],
        flags: row[col.flags], own: own, closure: closure, bits: bits, arxiv: row[col.arxiv], doi: row[col.doi]
      };
      p.haystack = [p.title, p.authors, p.venue, p.id, p.arxiv, p.doi].join(" ").toLowerCase();
      return p;
    });
    var years = papers.map(function (p) { return p.year; });
    return {
      facets: facets, nodes: nodes, papers: papers, words: words,
      nodeFacet: Int32Array.from(nodes, function (n) { return n.facet; }),
      minYear: years.length ? Math.min.apply(null, years) : 0,
      maxYear: years.length ? Math.max.apply(null, years) : 0
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

  function facetMasks(data, state) {
    var masks = [];
    data.facets.forEach(function (f) {
      if (!state.sel[f.id].size) return;
      var mask = new Uint32Array(data.words);
      f.nodes.forEach(function (n) {
        if (state.sel[f.id].has(n.id)) mask[n.num >> 5] |= 1 << (n.num & 31);
      });
      masks.push({ facet: f.pos, mask: mask });
    });
    return masks;
  }

  function hits(bits, mask) {
    for (var w = 0; w < mask.length; w++) if (bits[w] & mask[w]) return true;
    return false;
  }

  /* A paper is in the result when no filter fails; when exactly one fails, it still counts for the values of
     that filter (what the count would be if the user changed that filter alone). */
  function evaluate(data, state) {
    var terms = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    var from = state.from ? +state.from : -Infinity;
    var to = state.to ? +state.to : Infinity;
    var masks = facetMasks(data, state);
    var counts = new Int32Array(data.nodes.length);
    var nodeFacet = data.nodeFacet;
    var flagCounts = { code: 0, hybrid: 0 };
    var result = [];
    var CODE = -1, HYBRID = -2, NONE = -3;
    /* Plain loops and no allocation per paper: this runs over every paper on every interaction. */
    for (var i = 0; i < data.papers.length; i++) {
      var p = data.papers[i];
      if (p.year < from || p.year > to) continue;
      var t = 0;
      while (t < terms.length && p.haystack.indexOf(terms[t]) >= 0) t++;
      if (t < terms.length) continue;
      var failures = 0, only = NONE;
      if (state.code && !(p.flags & FLAG_CODE)) { failures++; only = CODE; }
      if (state.hybrid && !(p.flags & FLAG_HYBRID)) { failures++; only = HYBRID; }
      for (var m = 0; m < masks.length && failures < 2; m++) {
        if (!hits(p.bits, masks[m].mask)) { failures++; only = masks[m].facet; }
      }
      if (failures > 1) continue;
      if (failures === 0) result.push(p);
      if ((failures === 0 || only === CODE) && (p.flags & FLAG_CODE)) flagCounts.code++;
      if ((failures === 0 || only === HYBRID) && (p.flags & FLAG_HYBRID)) flagCounts.hybrid++;
      var closure = p.closure;
      for (var c = 0; c < closure.length; c++) {
        if (failures === 0 || only === nodeFacet[closure[c]]) counts[closure[c]]++;
      }
    }
    if (state.sort === "title") {
      result.sort(function (a, b) { return a.title.localeCompare(b.title) || a.order - b.order; });
    } else if (state.sort === "year-asc") {
      result.sort(function (a, b) { return a.year - b.year || a.order - b.order; });
    }
    return { papers: result, counts: counts, flags: flagCounts };
  }

  /* ---- exports (same columns and entry types as the downloads written at build) ---- */

  var TEX = { "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#",
    "_": "\\_", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}" };

  function tex(value) { return value.replace(/[\\{}&%$#_~^]/g, function (ch) { return TEX[ch]; }); }
  function rawValue(value) { return value.replace(/\\/g, "%5C").replace(/\{/g, "%7B").replace(/\}/g, "%7D"); }

  function venueName(p) {
    var name = p.venue.replace(new RegExp("\\s*\\b" + p.year + "\\b"), "").trim();
    return name || p.venue;
  }

  function bibtexEntry(p) {
    var fields = [["title", "{" + tex(p.title) + "}"], ["author", "{" + tex(p.authors.split("; ").join(" and ")) + "}"]];
    if (p.type === "article") fields.push(["journal", "{" + tex(venueName(p)) + "}"]);
    if (p.type === "inproceedings") fields.push(["booktitle", "{" + tex(venueName(p)) + "}"]);
    fields.push(["year", String(p.year)]);
    if (p.doi) fields.push(["doi", "{" + rawValue(p.doi) + "}"]);
    if (p.arxiv) fields.push(["eprint", "{" + rawValue(p.arxiv) + "}"], ["archiveprefix", "{arXiv}"]);
    return "@" + p.type + "{" + p.id + ",\n" +
      fields.map(function (f) { return "\t" + f[0] + " = " + f[1]; }).join(",\n") + "\n}\n";
  }

  function csvCell(value) {
    var text = String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function csvText(data, papers) {
    var header = ["id", "title", "authors", "year", "venue", "kind", "arxiv", "doi", "has_code"]
      .concat(data.facets.map(function (f) { return f.id; }), ["page"]);
    var lines = [header.join(",")];
    papers.forEach(function (p) {
      var tags = data.facets.map(function (f) {
        return p.own.filter(function (k) { return data.nodes[k].facet === f.pos; })
          .map(function (k) { return data.nodes[k].id; }).join("; ");
      });
      var row = [p.id, p.title, p.authors, p.year, p.venue, p.kind, p.arxiv, p.doi,
        p.flags & FLAG_CODE ? "yes" : "no"].concat(tags, ["papers/" + p.id + "/"]);
      lines.push(row.map(csvCell).join(","));
    });
    return lines.join("\n") + "\n";
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

    var rowNodes = [];  /* each paper's row is built once and reused by later interactions */
    function row(p) {
      return rowNodes[p.order] || (rowNodes[p.order] = buildRow(p));
    }

    function buildRow(p) {
      var link = el("a", { href: base + "papers/" + p.id + "/", text: p.title });
      var codeCell = el("td");
      if (p.flags & FLAG_CODE) codeCell.textContent = p.flags & 2 ? "official" : "yes";
      return el("tr", { "data-id": p.id }, [
        el("td", {}, [link, el("br"), el("span", { className: "sb-authors", text: shortAuthors(p.authors) })]),
        el("td", { text: String(p.year) }), el("td", { text: p.venue }), codeCell]);
    }

    function renderRows() {
      var rows = current.papers.slice(0, shown).map(row);
      tbody.replaceChildren.apply(tbody, rows);
      var left = current.papers.length - shown;
      more.hidden = left <= 0;
      more.textContent = "Show " + Math.min(left, ROWS_PER_PAGE) + " more (" + left + " not shown)";
    }

    function update() {
      current = evaluate(data, state);
      shown = ROWS_PER_PAGE;
      boxes.forEach(function (b) {
        var n = current.counts[b.node.num];
        if (b.shown === n) return;  /* touch the page only where a count changed */
        b.shown = n;
        b.count.textContent = String(n);
        b.label.classList.toggle("sb-opt--zero", n === 0);
        b.input.setAttribute("aria-label", b.node.label + ", " + n + " papers");
      });
      code.count.textContent = String(current.flags.code);
      hybrid.count.textContent = String(current.flags.hybrid);
      status.textContent = current.papers.length + " of " + data.papers.length + " papers";
      renderRows();
      writeState(data, state);
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
    more.addEventListener("click", function () { shown += ROWS_PER_PAGE; renderRows(); });
    function selection() { return current.papers.slice().sort(function (a, b) { return a.order - b.order; }); }
    exportBib.addEventListener("click", function () {
      download("papers-selection.bib", "application/x-bibtex", selection().map(bibtexEntry).join("\n"));
    });
    exportCsv.addEventListener("click", function () {
      download("papers-selection.csv", "text/csv", csvText(data, selection()));
    });

    syncForm();
    update();
    root.setAttribute("data-state", "ready");
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
