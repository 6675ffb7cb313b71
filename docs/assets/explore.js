/*
 * Explore page: every paper of the collection in one table, filtered in the browser.
 *
 * Reads the compact index written at build time (explore/papers-index.json; its shape is documented in
 * site_builder/site/explore_index.py), then the summaries (explore/papers-summaries.json), which join the rows and
 * the text filter when they arrive. The text filter needs every word; when text is given, an exact short name
 * ranks first, then titles holding every word, then the rest. Filters combine with AND across facets; within a facet the chosen values
 * combine with OR ("any", the default) or AND ("all", `<facet>-match=all`); a tag on a child node implies its
 * ancestors. Counts next to each facet value say how many papers a click on it would give in the facet's mode
 * with the other filters kept. Besides the taxonomy's facets there are `kind` and `dataset`, and `cites` /
 * `cited-by` when the build had citation data. The URL contract is design.md section 6a; unknown parameters and
 * values are ignored. The state lives in the query string, so a reload or a shared link restores it; the shown
 * row count and the scroll position are kept per URL in sessionStorage and restored on Back/Forward.
 * Works with the theme's instant navigation (document$) and without it (see common.js). No third-party code.
 * The free-text filter is "text" in the query string: the theme itself reads "q" to open its search dialog.
 */
(function () {
  "use strict";

  /* 100 rows a page: at 20,000 papers each interaction rebuilds and lays out the visible rows, and on a slow
     machine 200 rows kept a filter click above 100 ms. "Show more" adds the next hundred. */
  var ROWS_PER_PAGE = 100;
  var TEXT_DELAY_MS = 120;
  var SAVE_DELAY_MS = 150;
  /* Back/Forward: a popstate (the theme's instant navigation) or a back_forward page load restores rows and scroll. */
  var popped = false;
  window.addEventListener("popstate", function () { popped = true; });
  var FLAG_CODE = 1;
  var FLAG_HYBRID = 4;

  var el = window.SSMLKB.el;

  /* ---- the index ---- */

  /* Sets of papers are bit sets: one bit per paper, in index order, 32 to a word of a Uint32Array. Filtering and
     counting are then a few hundred word operations per facet value instead of a loop over every paper. */
  function bitSet(words) { return new Uint32Array(words); }

  /* "cites" is ascending, each position after the first written as the difference from the one before. */
  function undelta(gaps) {
    var out = [], at = 0;
    for (var k = 0; k < gaps.length; k++) out.push(at += gaps[k]);
    return out;
  }

  /* The summaries arrive after the table (their own file, explore/papers-summaries.json): each joins its row and
     the text the filter searches. Fetched once per URL while the site is open. */
  var summaryFiles = {};
  function loadSummaries(data, url) {
    if (data.summariesLoaded) return Promise.resolve(true);
    var pending = summaryFiles[url] || (summaryFiles[url] = fetch(url).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }));
    return pending.then(function (doc) {
      if (data.summariesLoaded) return true;
      var list = doc && Array.isArray(doc.summaries) && doc.summaries.length === data.papers.length ? doc.summaries : null;
      if (!list) return false;
      data.papers.forEach(function (p, i) {
        p.summary = typeof list[i] === "string" ? list[i] : "";
        p.first = undefined;
        p.haystack += " " + p.summary.toLowerCase();
      });
      data.summariesLoaded = true;
      return true;
    }, function () { delete summaryFiles[url]; return false; });
  }

  function prepare(raw) {
    var col = {};
    raw.cols.forEach(function (name, i) { col[name] = i; });
    var words = Math.ceil(raw.papers.length / 32) || 1;
    var nodes = raw.nodes.map(function (n, i) {
      return { num: i, facet: n[0], id: n[1], label: n[2], parent: n[3], depth: 0, papers: bitSet(words) };
    });
    var aliases = raw.aliases || [];
    /* What the text filter finds a tag by: its label and aliases, and those of its ancestors. */
    nodes.forEach(function (n, i) {
      n.depth = n.parent >= 0 ? nodes[n.parent].depth + 1 : 0;
      n.text = [n.label].concat(aliases[i] || []).join(" ") + (n.parent >= 0 ? " " + nodes[n.parent].text : "");
    });
    var facets = raw.facets.map(function (f, i) {
      return { pos: i, id: f[0], label: f[1], nodes: nodes.filter(function (n) { return n.facet === i; }) };
    });
    var tagFacets = facets.slice();
    /* Kind and dataset are facets of the page, not of taxonomy.yaml: their nodes follow the taxonomy's. */
    function pseudoFacet(id, label, values) {
      var f = { pos: facets.length, id: id, label: label, nodes: [] };
      values.forEach(function (v) {
        var n = { num: nodes.length, facet: f.pos, id: v[0], label: v[1], parent: -1, depth: 0, text: "",
          papers: bitSet(words) };
        nodes.push(n);
        f.nodes.push(n);
      });
      facets.push(f);
      return f;
    }
    var kindFacet = pseudoFacet("kind", "Kind", raw.kinds.map(function (k) { return [k, k]; }));
    var datasetList = raw.datasets || [];
    var datasetFacet = pseudoFacet("dataset", "Dataset", datasetList);
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
        flags: row[col.flags], own: own, arxiv: row[col.arxiv], doi: row[col.doi],
        short: row[col.short] || [], summary: "", datasets: row[col.datasets] || [],
        cites: undelta(row[col.cites] || [])
      };
      kindFacet.nodes[row[col.kind]].papers[w] |= bit;
      p.datasets.forEach(function (d) { if (datasetFacet.nodes[d]) datasetFacet.nodes[d].papers[w] |= bit; });
      p.shortLower = p.short.map(function (s) { return s.toLowerCase(); });
      p.titleLower = p.title.toLowerCase();
      p.haystack = [p.title, p.short.join(" "), p.authors, p.venue, p.id, p.arxiv, p.doi]
        .concat(own.map(function (k) { return nodes[k].text; })).join(" ").toLowerCase();
      all[w] |= bit;
      if (p.flags & FLAG_CODE) code[w] |= bit;
      if (p.flags & FLAG_HYBRID) hybrid[w] |= bit;
      years[order] = p.year;
      return p;
    });
    /* The citing side of "cites": who cites each paper, and how many papers of the collection that is. */
    var citedBy = papers.map(function () { return []; });
    papers.forEach(function (p) {
      p.cites.forEach(function (k) { if (citedBy[k]) citedBy[k].push(p.order); });
    });
    var byId = {};
    papers.forEach(function (p) { p.cited = citedBy[p.order].length; byId[p.id] = p; });
    /* The dataset facet lists the datasets papers use, by name. */
    datasetFacet.nodes = datasetFacet.nodes.filter(function (n) { return countIn(n.papers, all) > 0; })
      .sort(function (a, b) { return a.label.localeCompare(b.label); });
    var minYear = Infinity, maxYear = -Infinity;
    years.forEach(function (y) { if (y < minYear) minYear = y; if (y > maxYear) maxYear = y; });
    return {
      facets: facets, tagFacets: tagFacets, nodes: nodes, papers: papers, words: words, all: all, code: code,
      hybrid: hybrid, years: years, orders: {}, citedBy: citedBy, byId: byId, citations: raw.citations === true,
      datasets: datasetList,
      minYear: papers.length ? minYear : 0,
      maxYear: papers.length ? maxYear : 0
    };
  }

  /* ---- state <-> query string ---- */

  function emptyState(data) {
    var sel = {};
    data.facets.forEach(function (f) { sel[f.id] = new Set(); });
    var match = {};
    data.facets.forEach(function (f) { match[f.id] = false; });
    return { q: "", from: "", to: "", code: false, hybrid: false, sort: "year", sel: sel, match: match,
      cites: "", citedBy: "" };
  }

  function readState(data, search) {
    var state = emptyState(data);
    var params = new URLSearchParams(search);
    state.q = params.get("text") || "";
    state.from = /^\d{4}$/.test(params.get("from") || "") ? params.get("from") : "";
    state.to = /^\d{4}$/.test(params.get("to") || "") ? params.get("to") : "";
    state.code = params.get("code") === "1";
    state.hybrid = params.get("hybrid") === "1";
    state.sort = sorts(data).indexOf(params.get("sort")) >= 0 ? params.get("sort") : "year";
    data.facets.forEach(function (f) {
      var known = new Set(f.nodes.map(function (n) { return n.id; }));
      (params.get(f.id) || "").split(",").forEach(function (v) { if (known.has(v)) state.sel[f.id].add(v); });
      state.match[f.id] = params.get(f.id + "-match") === "all";
    });
    /* Kept even when unknown or without citation data: the page says why the filter does nothing. */
    state.cites = (params.get("cites") || "").slice(0, 200);
    state.citedBy = (params.get("cited-by") || "").slice(0, 200);
    return state;
  }

  function writeState(data, state) {
    var params = new URLSearchParams();
    if (state.q) params.set("text", state.q);
    data.facets.forEach(function (f) {
      var chosen = f.nodes.filter(function (n) { return state.sel[f.id].has(n.id); });
      if (chosen.length) params.set(f.id, chosen.map(function (n) { return n.id; }).join(","));
      if (state.match[f.id]) params.set(f.id + "-match", "all");
    });
    if (state.cites) params.set("cites", state.cites);
    if (state.citedBy) params.set("cited-by", state.citedBy);
    if (state.from) params.set("from", state.from);
    if (state.to) params.set("to", state.to);
    if (state.code) params.set("code", "1");
    if (state.hybrid) params.set("hybrid", "1");
    if (state.sort !== "year") params.set("sort", state.sort);
    var query = params.toString().replace(/%2C/g, ",");
    var url = location.pathname + (query ? "?" + query : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
  }

  function sorts(data) {
    return data.citations ? ["year", "year-asc", "title", "cited"] : ["year", "year-asc", "title"];
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

  /* Each active filter as a set of papers: a facet's chosen values OR-ed ("any") or AND-ed ("all"), a flag, or
     the papers citing / cited by a paper. */
  function activeFilters(data, state) {
    var filters = [];
    data.facets.forEach(function (f) {
      var set = null, all = state.match[f.id];
      f.nodes.forEach(function (n) {
        if (!state.sel[f.id].has(n.id)) return;
        if (!set) set = n.papers.slice();
        else if (all) for (var w = 0; w < set.length; w++) set[w] &= n.papers[w];
        else for (var v = 0; v < set.length; v++) set[v] |= n.papers[v];
      });
      if (set) filters.push({ key: f.pos, set: set });
    });
    if (state.code) filters.push({ key: "code", set: data.code });
    if (state.hybrid) filters.push({ key: "hybrid", set: data.hybrid });
    var citing = citeTarget(data, state.cites), cited = citeTarget(data, state.citedBy);
    if (citing) filters.push({ key: "cites", set: setOf(data, data.citedBy[citing.order]) });
    if (cited) filters.push({ key: "cited-by", set: setOf(data, cited.cites) });
    return filters;
  }

  /* The paper a cites / cited-by filter names, when the build has citation data and the paper exists. */
  function citeTarget(data, id) {
    return id && data.citations && Object.prototype.hasOwnProperty.call(data.byId, id) ? data.byId[id] : null;
  }

  function setOf(data, orders) {
    var set = bitSet(data.words);
    orders.forEach(function (i) { set[i >> 5] |= 1 << (i & 31); });
    return set;
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
    } else if (sort === "cited") {
      papers.sort(function (a, b) { return b.cited - a.cited || a.order - b.order; });
    }
    return (data.orders[sort] = Int32Array.from(papers, function (p) { return p.order; }));
  }

  /* The result passes every filter. The count of a facet value is the size of the result if the user clicked
     it: in "any" mode the papers with that value passing every other filter; in "all" mode the papers of the
     result carrying it too. When text is present the result is ranked: an exact short name first, then papers
     whose title holds every word, then the rest, each group in the chosen order. */
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
    data.nodes.forEach(function (n) {
      var f = data.facets[n.facet];
      counts[n.num] = countIn(state.match[f.id] && state.sel[f.id].size ? set : without(n.facet), n.papers);
    });
    var flagCounts = { code: countIn(without("code"), data.code), hybrid: countIn(without("hybrid"), data.hybrid) };
    var query = state.q.toLowerCase().trim();
    var terms = query.split(/\s+/).filter(Boolean);
    var groups = [[], [], []];
    var order = sortOrder(data, state.sort);
    for (var k = 0; k < order.length; k++) {
      var i = order[k];
      if (!(set[i >> 5] & (1 << (i & 31)))) continue;
      var p = data.papers[i];
      if (!terms.length) groups[2].push(p);
      else if (p.shortLower.indexOf(query) >= 0) groups[0].push(p);
      else if (terms.every(function (t) { return p.titleLower.indexOf(t) >= 0; })) groups[1].push(p);
      else groups[2].push(p);
    }
    var result = groups[0].length || groups[1].length ? groups[0].concat(groups[1], groups[2]) : groups[2];
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

  /* The summary's first sentence (what a row shows until expanded). */
  function firstSentence(text) {
    var m = /^.*?[.!?](?=\s+[A-Z0-9("“]|$)/.exec(text);
    return m ? m[0] : text;
  }

  function year(value) { return /^\d{4}$/.test(value) ? value : ""; }

  var firstMount = true;

  function mount(root, data) {
    var state = readState(data, location.search);
    state.match.kind = false;  /* a paper has one kind: "all" of two kinds would always be empty */
    var shown = ROWS_PER_PAGE;
    var base = root.getAttribute("data-root") || "../";
    var current = null;
    var restoring = popped || (firstMount && (performance.getEntriesByType("navigation")[0] || {}).type === "back_forward");
    popped = false;
    firstMount = false;

    var q = el("input", { type: "search", id: "sb-q", name: "q", autocomplete: "off",
      placeholder: "e.g. contrastive audio" });
    var from = el("input", { type: "number", id: "sb-from", name: "from", min: data.minYear, max: data.maxYear,
      placeholder: String(data.minYear) });
    var to = el("input", { type: "number", id: "sb-to", name: "to", min: data.minYear, max: data.maxYear,
      placeholder: String(data.maxYear) });
    var code = option("checkbox", "code", "1", "Has code", "sb-code");
    var hybrid = option("checkbox", "hybrid", "1", "Hybrid objectives (two or more)", "sb-hybrid");
    var clear = el("button", { type: "button", className: "sb-clear", text: "Clear all filters" });
    var done = el("button", { type: "button", className: "sb-done", text: "Show results" });
    var boxes = [];
    var matches = [];
    var fieldsets = data.facets.map(function (f) {
      if (!f.nodes.length) return null;
      var items = f.nodes.map(function (n) {
        var box = option("checkbox", f.id, n.id, n.label, "sb-f-" + f.id + "-" + n.id);
        if (n.depth) box.label.style.paddingLeft = n.depth * 1.1 + "em";
        box.node = n;
        boxes.push(box);
        return box.label;
      });
      var legend = el("legend", {}, [document.createTextNode(f.label)]);
      if (f.id !== "kind") {
        var match = el("select", { id: "sb-match-" + f.id, className: "sb-match", "data-facet": f.id,
          "aria-label": f.label + ": papers must have" }, [
          el("option", { value: "any", text: "any of" }), el("option", { value: "all", text: "all of" })]);
        matches.push(match);
        legend.appendChild(document.createTextNode(" · match "));
        legend.appendChild(match);
      }
      return el("fieldset", { "data-facet": f.id }, [legend].concat(items));
    });
    var citeNote = el("p", { className: "sb-note sb-cite-note", hidden: "" });
    var form = el("form", { id: "sb-filters", className: "sb-explore__filters", "aria-label": "Filters",
      role: "search" }, [
      el("label", { for: "sb-q", text: "Search titles, names, authors, summaries and tags" }), q,
      el("fieldset", {}, [el("legend", { text: "Year" }), el("label", { for: "sb-from", text: "From " }), from,
        el("label", { for: "sb-to", text: " to " }), to]),
      el("fieldset", {}, [el("legend", { text: "Code and objectives" }), code.label, hybrid.label])
    ].concat(fieldsets, [clear, done]));
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    var toggle = el("button", { type: "button", className: "sb-filters-toggle", "aria-controls": "sb-filters",
      "aria-expanded": "false", text: "Filters" });
    var status = el("p", { className: "sb-status", role: "status", "aria-live": "polite" });
    var sortOptions = [["year", "Newest first"], ["year-asc", "Oldest first"], ["title", "Title"]];
    if (data.citations) sortOptions.push(["cited", "Most cited here"]);
    var sort = el("select", { id: "sb-sort", name: "sort" }, sortOptions.map(function (o) {
      return el("option", { value: o[0], text: o[1] });
    }));
    var exportBib = el("button", { type: "button", "data-export": "bib", text: "Export BibTeX" });
    var exportCsv = el("button", { type: "button", "data-export": "csv", text: "Export CSV" });
    var empty = el("div", { className: "sb-empty", hidden: "" });
    var tbody = el("tbody");
    var heads = ["Paper", "Year", "Venue"].concat(data.citations ? ["Cited"] : [], ["Code"]);
    var table = el("table", {}, [
      el("thead", {}, [el("tr", {}, heads.map(function (h) {
        var attrs = { scope: "col", text: h, className: "sb-col-" + h.toLowerCase() };
        if (h === "Cited") attrs.title = "cited by papers of this collection";
        return el("th", attrs);
      }))]), tbody]);
    var more = el("button", { type: "button", className: "sb-more", text: "Show more" });
    var results = el("div", { className: "sb-explore__results" }, [
      el("div", { className: "sb-toolbar" }, [status, el("label", { for: "sb-sort", text: "Sort " }), sort,
        exportBib, exportCsv]), citeNote, empty,
      el("div", { className: "sb-papers" }, [table]), more]);
    root.textContent = "";
    root.appendChild(toggle);
    root.appendChild(el("div", { className: "sb-explore__layout" }, [form, results]));

    function setDrawer(open) {
      root.classList.toggle("sb-explore--open", open);
      toggle.setAttribute("aria-expanded", String(open));
      if (open) q.focus(); else toggle.focus();
    }
    toggle.addEventListener("click", function () { setDrawer(!root.classList.contains("sb-explore--open")); });
    done.addEventListener("click", function () { setDrawer(false); });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && root.classList.contains("sb-explore--open")) setDrawer(false);
    });

    function syncForm() {
      q.value = state.q; from.value = state.from; to.value = state.to; sort.value = state.sort;
      code.input.checked = state.code; hybrid.input.checked = state.hybrid;
      boxes.forEach(function (b) { b.input.checked = state.sel[data.facets[b.node.facet].id].has(b.node.id); });
      matches.forEach(function (m) { m.value = state.match[m.getAttribute("data-facet")] ? "all" : "any"; });
    }

    /* The active filters, each with a label and a way to remove it (the empty result and "Filters (n)"). */
    function activeList() {
      var out = [];
      if (state.q) out.push(["text “" + state.q + "”", function () { state.q = ""; }]);
      if (state.from) out.push(["from " + state.from, function () { state.from = ""; }]);
      if (state.to) out.push(["to " + state.to, function () { state.to = ""; }]);
      if (state.code) out.push(["has code", function () { state.code = false; }]);
      if (state.hybrid) out.push(["hybrid objectives", function () { state.hybrid = false; }]);
      data.facets.forEach(function (f) {
        f.nodes.forEach(function (n) {
          if (state.sel[f.id].has(n.id)) out.push([f.label + ": " + n.label, function () { state.sel[f.id].delete(n.id); }]);
        });
      });
      if (citeTarget(data, state.cites)) out.push(["citing " + state.cites, function () { state.cites = ""; }]);
      if (citeTarget(data, state.citedBy)) out.push(["cited by " + state.citedBy, function () { state.citedBy = ""; }]);
      return out;
    }

    function showCiteNote() {
      var parts = [];
      [["cites", state.cites, "citing"], ["cited-by", state.citedBy, "cited by"]].forEach(function (c) {
        if (!c[1]) return;
        var target = citeTarget(data, c[1]);
        if (!data.citations) parts.push("This build has no citation data, so the “" + c[0] + "” filter is ignored.");
        else if (!target) parts.push("No paper “" + c[1] + "” in the collection: the “" + c[0] + "” filter is ignored.");
        else parts.push("Papers " + c[2] + " “" + target.title + "”.");
      });
      setText(citeNote, parts.join(" "));
      citeNote.hidden = !parts.length;
    }

    function showEmpty() {
      empty.textContent = "";
      empty.hidden = current.papers.length > 0;
      if (!empty.hidden) {
        var list = activeList();
        empty.appendChild(el("p", { text: list.length > 1 ? "No paper matches all these filters. Remove one:"
          : "No paper matches this filter. Remove it:" }));
        empty.appendChild(el("p", {}, list.map(function (a) {
          var b = el("button", { type: "button", className: "sb-remove", text: "✕ " + a[0],
            "aria-label": "Remove the filter " + a[0] });
          b.addEventListener("click", function () { a[1](); syncForm(); update(); });
          return b;
        })));
      }
      exportBib.disabled = exportCsv.disabled = current.papers.length === 0;
    }

    /* The table keeps its row elements: an interaction rewrites the rows whose paper changed and adds or removes
       rows only at the end (fresh elements would each need their style computed again). */
    var slots = [];
    var attached = 0;
    var textCount = data.citations ? 6 : 5;
    function slot(i) {
      if (slots[i]) return slots[i];
      var s = { order: -1, texts: [], link: el("a"), meta: el("div", { className: "sb-meta" }),
        summary: document.createTextNode(""), expand: el("button", { type: "button", className: "sb-expand",
          "aria-expanded": "false", text: "more" }) };
      for (var k = 0; k < textCount; k++) s.texts.push(document.createTextNode(""));
      s.link.appendChild(s.texts[0]);
      s.para = el("p", { className: "sb-summary" }, [s.summary, document.createTextNode(" "), s.expand]);
      var cells = [el("td", { className: "sb-paper" }, [s.link, el("br"),
        el("span", { className: "sb-authors" }, [s.texts[1]]), s.meta, s.para]),
      el("td", { className: "sb-year" }, [s.texts[2]]), el("td", { className: "sb-venue" }, [s.texts[3]])];
      if (data.citations) cells.push(el("td", { className: "sb-cited" }, [s.texts[5]]));
      cells.push(el("td", { className: "sb-code" }, [s.texts[4]]));
      s.row = el("tr", {}, cells);
      s.expand.sbSlot = s;  /* not "slot": elements have a slot property of their own */
      return (slots[i] = s);
    }

    function setSummary(s, p, open) {
      var first = p.first === undefined ? (p.first = firstSentence(p.summary)) : p.first;
      s.summary.data = open ? p.summary : first;
      s.expand.hidden = first === p.summary;
      s.expand.setAttribute("aria-expanded", String(open));
      s.expand.textContent = open ? "less" : "more";
    }

    /* Only the texts that differ are set: each change costs the browser work, and neighbouring papers often
       share a year, a venue or the code column. */
    function fill(s, p) {
      if (s.order === p.order) return;
      s.order = p.order;
      s.row.setAttribute("data-id", p.id);
      s.link.setAttribute("href", base + "papers/" + p.id + "/");
      if (p.shortAuthors === undefined) p.shortAuthors = shortAuthors(p.authors);
      var texts = [p.title, p.shortAuthors, String(p.year), p.venue,
        p.flags & FLAG_CODE ? (p.flags & 2 ? "official" : "yes") : "", String(p.cited)];
      for (var k = 0; k < textCount; k++) if (s.texts[k].data !== texts[k]) s.texts[k].data = texts[k];
      s.meta.textContent = "";
      s.meta.appendChild(el("span", { className: "sb-kind", text: p.kind }));
      p.own.forEach(function (k) { s.meta.appendChild(el("span", { className: "sb-chip", text: data.nodes[k].label })); });
      setSummary(s, p, false);
    }

    tbody.addEventListener("click", function (event) {
      var s = event.target.sbSlot;
      if (!s || s.order < 0) return;
      setSummary(s, data.papers[s.order], s.expand.getAttribute("aria-expanded") !== "true");
    });

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
       3rem high. Read before the page is changed, while its layout is clean, so the reads cost nothing. */
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
            if (!left()) {
              showRows(restFrom, Math.min(shown, current.papers.length));
              writeState(data, state);
            }
          }, 0);
        }, 0);
      });
    }
    function left() { return !root.isConnected || location.pathname !== path; }

    function renderRows(inView) {
      var count = Math.min(shown, current.papers.length);
      while (attached > count) tbody.removeChild(slots[--attached].row);
      restFrom = Math.min(count, inView);
      showRows(0, restFrom);
      var rest = current.papers.length - shown;
      if (more.hidden !== (rest <= 0)) more.hidden = rest <= 0;
      setText(more, "Show " + Math.min(rest, ROWS_PER_PAGE) + " more (" + rest + " not shown)");
    }

    var memo = {};
    function update() {
      var inView = current ? rowsInView() : Infinity;  /* the first view is complete at once */
      current = evaluate(data, state, memo);
      shown = ROWS_PER_PAGE;
      refreshCounts();
      renderRows(inView);
      afterPaint();
    }

    function refreshCounts() {
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
      var active = activeList().length;
      setText(toggle, active ? "Filters (" + active + ")" : "Filters");
      showCiteNote();
      showEmpty();
    }

    /* Text and year fields apply as you type, once typing pauses. */
    var timer = null;
    function typed() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        state.q = q.value.trim(); state.from = year(from.value); state.to = year(to.value);
        update();
      }, TEXT_DELAY_MS);
    }
    q.addEventListener("input", typed);
    from.addEventListener("input", typed);
    to.addEventListener("input", typed);
    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t === q || t === from || t === to) return;
      if (t === code.input) {
        state.code = t.checked;
      } else if (t === hybrid.input) {
        state.hybrid = t.checked;
      } else if (t.classList.contains("sb-match")) {
        state.match[t.getAttribute("data-facet")] = t.value === "all";
      } else if (t.name && state.sel[t.name]) {
        if (t.checked) state.sel[t.name].add(t.value); else state.sel[t.name].delete(t.value);
      }
      update();
    });
    sort.addEventListener("change", function () { state.sort = sort.value; update(); });
    clear.addEventListener("click", function () { state = emptyState(data); syncForm(); update(); q.focus(); });
    more.addEventListener("click", function () { shown += ROWS_PER_PAGE; renderRows(Infinity); save(); });
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

    /* Rows shown and scroll position, per URL, for Back/Forward (the theme's instant navigation keeps its own
       scroll offset in history.state, replacing whatever else is there, so they live in sessionStorage). */
    function key() { return "sb-explore:" + location.pathname + location.search; }
    function save() {
      if (left()) return;
      try {
        sessionStorage.setItem(key(), JSON.stringify({ shown: shown, y: Math.round(window.scrollY) }));
      } catch (e) { /* storage full or disabled: Back then starts at the top */ }
    }
    var saveTimer = null;
    function onScroll() {
      if (!root.isConnected) { window.removeEventListener("scroll", onScroll); return; }
      clearTimeout(saveTimer);
      saveTimer = setTimeout(save, SAVE_DELAY_MS);
    }
    window.addEventListener("scroll", onScroll, { passive: true });

    syncForm();
    update();
    var summariesUrl = root.getAttribute("data-summaries");
    var summaries = summariesUrl ? loadSummaries(data, new URL(summariesUrl, location.href).href) : Promise.resolve(false);
    var saved = null;
    if (restoring) {
      try { saved = JSON.parse(sessionStorage.getItem(key()) || "null"); } catch (e) { saved = null; }
      if (!saved || typeof saved.shown !== "number" || typeof saved.y !== "number") saved = null;
    }
    /* Ready once the summaries are in (or could not be had: the table works without them); the rows and scroll
       position of Back/Forward are restored then, when the rows have their final height. */
    summaries.then(function (loaded) {
      if (left()) return;
      if (loaded) {
        memo = {};
        slots.forEach(function (s) { s.order = -1; });
        current = evaluate(data, state, memo);
        refreshCounts();
      }
      if (saved) shown = Math.max(ROWS_PER_PAGE, Math.min(saved.shown, current.papers.length + ROWS_PER_PAGE));
      if (loaded || saved) renderRows(Infinity);
      if (saved) window.scrollTo(0, saved.y);
      root.setAttribute("data-state", "ready");
    });
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
