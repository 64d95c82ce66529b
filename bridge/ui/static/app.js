// assetbridge web UI: polling of live page parts and launchpad helpers. No build step.
"use strict";

// Elements with data-poll="URL" are replaced by the server-rendered (escaped) fragment at
// URL every second, until the fragment says it is final (data-polling="false").
function startPolling(element) {
  const url = element.dataset.poll;
  let timer = null;
  async function tick() {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        element.innerHTML = await response.text();
      }
    } catch (error) {
      // server restarting: try again on the next tick
    }
    const state = element.querySelector(".poll-state");
    if (state && state.dataset.redirect) {
      window.location.assign(state.dataset.redirect);
      return;
    }
    if (state && state.dataset.polling === "false") {
      element.removeAttribute("data-poll");
      document.dispatchEvent(new CustomEvent("assetbridge:settled"));
      return;
    }
    timer = window.setTimeout(tick, 1000);
  }
  timer = window.setTimeout(tick, 700);
  return () => window.clearTimeout(timer);
}

function setUpLaunchpad(form) {
  form.querySelectorAll("button[data-check]").forEach((button) => {
    button.addEventListener("click", () => {
      const how = button.dataset.check;
      form.querySelectorAll('input[type=checkbox][name="key"]').forEach((box) => {
        box.checked = how === "all" || (how === "stale" && box.dataset.status !== "fresh");
      });
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-poll]").forEach(startPolling);
  document.querySelectorAll("form.launch-form").forEach(setUpLaunchpad);
});
