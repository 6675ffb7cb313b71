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
  /* The theme's instant navigation follows a result link without reloading the page: close the dialog then. */
  box.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    const dialog = box.querySelector("dialog");
    if (link && dialog && dialog.open) dialog.close();
  });
}
