/*
 * Shared by the site's page scripts (explore.js, graph.js), loaded before them: a small DOM helper and the logic
 * that mounts a page's widget from its JSON data on every page the theme shows, with its instant navigation
 * (document$) or without it. No third-party code.
 */
window.SSMLKB = (function () {
  "use strict";

  /* An element with attributes ("text" sets its text, "className" its class) and children. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  /* On every page holding the element #id (not yet mounted): fetch the JSON named by its attribute `attr` (once
     per URL while the site is open), turn it into data with `prepare`, then call mount(element, data). The element
     carries data-state = loading, ready or error; on error it shows failure(message). */
  function mountFromData(id, attr, prepare, mount, failure) {
    var cache = {};

    function start() {
      var root = document.getElementById(id);
      if (!root || root.getAttribute("data-state")) return;
      root.setAttribute("data-state", "loading");
      var url = new URL(root.getAttribute(attr), location.href).href;
      var pending = cache[url] || (cache[url] = fetch(url).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then(prepare));
      pending.then(function (data) { mount(root, data); }, function (error) {
        delete cache[url];
        root.setAttribute("data-state", "error");
        root.textContent = "";
        root.appendChild(el("p", { className: "sb-note", text: failure(error.message) }));
      });
    }

    onEveryPage(start);
  }

  /* Run `action` on every page the theme shows: on each instant navigation (document$), or once the page is
     loaded. */
  function onEveryPage(action) {
    if (typeof window.document$ !== "undefined" && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(action);
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", action);
    } else {
      action();
    }
  }

  /* A link with data-sb-copy="<selector>" copies the text of that element (the paper page's BibTeX box); without
     JavaScript or clipboard access it stays a link to the box. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-sb-copy]");
    var box = link && document.querySelector(link.getAttribute("data-sb-copy"));
    if (!box || !navigator.clipboard) return;
    event.preventDefault();
    navigator.clipboard.writeText(box.textContent).then(function () {
      link.setAttribute("data-copied", "");
      link.textContent = "BibTeX copied";
    }, function () { location.hash = link.hash; });
  });

  return { el: el, mountFromData: mountFromData };
})();
