/*
 * The site search (overrides/partials/pagefind.html): configures Pagefind's component UI, then puts its button
 * and dialog in place from the partial's template (its elements must not exist before the configuration, which
 * Pagefind reads when they appear). A module script, so it runs after pagefind-component-ui.js (module scripts run
 * in document order), and once: the header that holds the dialog stays through the theme's instant navigation.
 */
const components = window.PagefindComponents;
const box = document.querySelector("[data-sb-search]");
const template = box && box.querySelector("template");
if (components && template) {
  /* Result links are relative to the site's root, wherever it is served (the index lives in <root>/pagefind/). */
  const bundle = document.querySelector('script[src$="pagefind/pagefind-component-ui.js"]');
  const root = new URL("..", bundle ? bundle.src : location.href).pathname;
  components.configureInstance("default", {
    bundlePath: root + "pagefind/",
    baseUrl: root,
    /* Paper pages give their short names as metadata: a word of a short name counts twice a word of a title,
       so an exact short name ranks first, then an exact title (both are also weighted in the page). */
    ranking: { metaWeights: { title: 5.0, short_name: 10.0 } },
  });
  box.appendChild(template.content.cloneNode(true));

  /* Pagefind matches word beginnings and cannot rank an exact short name ("CLIP") above pages whose words start
     with it (CLIP4Clip): the typed text is looked up in the build's small name files (one per first character)
     and an exact name is shown above Pagefind's results. */
  const hits = box.querySelector("[data-sb-name-match]");
  const shards = {};
  const shardOf = (query) => {
    const first = query.charAt(0);
    const key = /^[a-z0-9]$/.test(first) ? first : "_";
    if (!shards[key]) {
      shards[key] = fetch(root + "search/names-" + key + ".json")
        .then((response) => (response.ok ? response.json() : {}))
        .catch(() => ({}));
    }
    return shards[key];
  };
  let typed = "";
  const showName = (value) => {
    typed = value.trim().toLowerCase();
    const query = typed;
    if (!hits) return;
    if (!query) { hits.replaceChildren(); return; }
    shardOf(query).then((names) => {
      if (query !== typed) return;  /* the reader typed on */
      const hit = Object.prototype.hasOwnProperty.call(names, query) ? names[query] : null;
      if (!hit) { hits.replaceChildren(); return; }
      const link = document.createElement("a");
      link.href = root + "papers/" + encodeURIComponent(hit[0]) + "/";
      link.textContent = hit[1];
      const line = document.createElement("p");
      line.className = "sb-name-hit";
      line.append("Exact name: ", link);
      hits.replaceChildren(line);
    });
  };
  box.addEventListener("input", (event) => {
    const field = event.composedPath()[0];
    if (field instanceof HTMLInputElement) showName(field.value);
  });
  /* The theme's instant navigation follows a result link without reloading the page: close the dialog then. */
  box.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    const dialog = box.querySelector("dialog");
    if (link && dialog && dialog.open) dialog.close();
  });
}
