// assetbridge asset graph: pan, zoom, search and live status colours over the server-laid-out
// SVG. Every node is an <a> to its asset page, so click-through needs no script.
"use strict";

(function () {
  const svg = document.getElementById("graph");
  if (!svg) return;
  const width = Number(svg.dataset.width);
  const height = Number(svg.dataset.height);
  // the node list is built on first use (search, status refresh), not during page load
  let nodeList = null;
  function nodes() {
    if (nodeList === null) {
      nodeList = Array.from(svg.querySelectorAll("a.node"), (element) => ({
        element, key: element.dataset.key, lower: element.dataset.key.toLowerCase(),
      }));
    }
    return nodeList;
  }
  function position(node) {
    const rect = node.element.querySelector("rect");
    return { x: Number(rect.getAttribute("x")), y: Number(rect.getAttribute("y")) };
  }
  const view = { x: 0, y: 0, w: width, h: height };

  function box() { return svg.getBoundingClientRect(); }
  function scale() { return box().width / view.w; }
  function apply() {
    svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
    svg.classList.toggle("far", scale() < 0.45);
    scheduleLabels();
  }

  // big graphs come without labels (a third of the page's elements); they are added for
  // the nodes in view once the user zooms in far enough to read them
  const lazyLabels = svg.dataset.lazyLabels === "true";
  let labelTimer = null;
  function scheduleLabels() {
    if (!lazyLabels) return;
    window.clearTimeout(labelTimer);
    labelTimer = window.setTimeout(addLabels, 50);
  }
  function addLabels() {
    if (scale() < 0.45) return;
    for (const node of nodes()) {
      if (node.labelled) continue;
      const at = node.at || (node.at = position(node));
      if (at.x + 190 < view.x || at.x > view.x + view.w
          || at.y + 34 < view.y || at.y > view.y + view.h) continue;
      const text = document.createElementNS("http://www.w3.org/2000/svg", "text");
      text.setAttribute("x", String(at.x + 12));
      text.setAttribute("y", String(at.y + 22));
      text.textContent = node.key.length <= 26 ? node.key : `\u2026${node.key.slice(-25)}`;
      node.element.appendChild(text);
      node.labelled = true;
    }
  }
  function setScale(s, cx, cy) {
    const r = box();
    view.w = r.width / s;
    view.h = r.height / s;
    view.x = cx - view.w / 2;
    view.y = cy - view.h / 2;
    apply();
  }
  function fit() {
    const r = box();
    const s = Math.min(1.1, Math.min(r.width / width, r.height / height) * 0.98);
    const w = r.width / s;
    view.w = w;
    view.h = r.height / s;
    view.x = (width - w) / 2;
    view.y = 0;
    apply();
  }
  function zoomAt(factor, clientX, clientY) {
    const r = box();
    const fx = (clientX - r.left) / r.width;
    const fy = (clientY - r.top) / r.height;
    const px = view.x + fx * view.w;
    const py = view.y + fy * view.h;
    const s = Math.max(0.005, Math.min(4, scale() * factor));
    view.w = r.width / s;
    view.h = r.height / s;
    view.x = px - fx * view.w;
    view.y = py - fy * view.h;
    apply();
  }

  // pan with the pointer; a drag never counts as a click on a node
  let drag = null;
  let dragged = false;
  svg.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y, id: event.pointerId };
    dragged = false;
  });
  svg.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!dragged && Math.hypot(dx, dy) < 4) return;
    if (!dragged) {
      dragged = true;
      svg.setPointerCapture(drag.id);
      svg.classList.add("dragging");
    }
    const s = scale();
    view.x = drag.vx - dx / s;
    view.y = drag.vy - dy / s;
    apply();
  });
  function endDrag() { drag = null; svg.classList.remove("dragging"); }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  svg.addEventListener("click", (event) => {
    if (dragged) { event.preventDefault(); event.stopPropagation(); dragged = false; }
  }, true);
  svg.addEventListener("wheel", (event) => {
    event.preventDefault();
    zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX, event.clientY);
  }, { passive: false });
  function zoomCenter(factor) { const r = box(); zoomAt(factor, r.left + r.width / 2, r.top + r.height / 2); }
  document.getElementById("zoom-in").addEventListener("click", () => zoomCenter(1.4));
  document.getElementById("zoom-out").addEventListener("click", () => zoomCenter(1 / 1.4));
  document.getElementById("zoom-fit").addEventListener("click", fit);

  // search: highlight matches, list them, Enter focuses the first one
  const input = document.getElementById("graph-search");
  const results = document.getElementById("search-results");
  const count = document.getElementById("search-count");
  let matches = [];
  function focusNode(node) {
    svg.querySelectorAll("a.node.focus").forEach((element) => element.classList.remove("focus"));
    node.element.classList.add("focus");
    const at = position(node);
    setScale(Math.max(1, scale()), at.x + 95, at.y + 17);
  }
  function search() {
    const query = input.value.trim().toLowerCase();
    const status = /^status:(\w+)$/.exec(query);
    const test = status
      ? (node) => node.element.dataset.status === status[1]
      : (node) => node.lower.includes(query);
    matches = query ? nodes().filter(test) : [];
    svg.classList.toggle("searching", Boolean(query));
    svg.querySelectorAll("a.node.match").forEach((element) => element.classList.remove("match"));
    matches.forEach((node) => node.element.classList.add("match"));
    count.textContent = query ? `${matches.length} match${matches.length === 1 ? "" : "es"}` : "";
    results.replaceChildren();
    matches.slice(0, 40).forEach((node) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = node.element.getAttribute("href");
      link.textContent = node.key;
      link.addEventListener("mouseenter", () => focusNode(node));
      item.appendChild(link);
      results.appendChild(item);
    });
    results.hidden = matches.length === 0;
  }
  let pending = null;
  input.addEventListener("input", () => {
    window.clearTimeout(pending);
    pending = window.setTimeout(search, nodes().length > 2000 ? 120 : 0);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && matches.length) { focusNode(matches[0]); results.hidden = true; }
    if (event.key === "Escape") { input.value = ""; search(); }
  });
  document.querySelectorAll("button[data-filter]").forEach((button) => {
    button.addEventListener("click", () => {
      input.value = input.value === button.dataset.filter ? "" : button.dataset.filter;
      search();
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "/" && document.activeElement !== input) { event.preventDefault(); input.focus(); }
  });
  document.addEventListener("click", (event) => {
    const keep = results.contains(event.target) || event.target === input
      || event.target.closest("[data-filter]");
    if (!keep) results.hidden = true;
  });

  // live colours: statuses change while runs (from here or the CLI) finish
  async function refresh() {
    if (document.visibilityState === "visible") {
      try {
        const response = await fetch("/api/statuses", { credentials: "same-origin", cache: "no-store" });
        if (response.ok) {
          const statuses = (await response.json()).assets;
          const counts = {};
          nodes().forEach((node) => {
            const status = statuses[node.key] || "source";
            if (node.element.dataset.status !== status) node.element.dataset.status = status;
            counts[status] = (counts[status] || 0) + 1;
          });
          document.querySelectorAll("[data-count]").forEach((element) => {
            element.textContent = String(counts[element.dataset.count] || 0);
          });
        }
      } catch (error) { /* try again later */ }
    }
    window.setTimeout(refresh, 3000);
  }
  window.setTimeout(refresh, 3000);
  window.addEventListener("resize", apply);
  fit();
  svg.dataset.ready = "true";
  // when the set-up graph was on screen, in ms since navigation started (for bench_ui)
  requestAnimationFrame(() => requestAnimationFrame(() => {
    svg.dataset.drawnAt = String(Math.round(performance.now()));
  }));
  // tooltips (the full key and status) are made on hover, not for every node up front
  svg.addEventListener("pointerover", (event) => {
    const element = event.target.closest("a.node");
    if (!element) return;
    let title = element.querySelector("title");
    if (!title) {
      title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      element.prepend(title);
    }
    title.textContent = `${element.dataset.key} (${element.dataset.status})`;
  });
  window.assetGraph = { fit, search };
})();
