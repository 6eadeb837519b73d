// Sathi console: small enhancements over pages that work without script.
// Keeps nothing in the browser (no localStorage, no cookies of its own).
"use strict";

function poll(element) {
  const seconds = Number(element.dataset.pollSeconds || "5");
  let last = element.innerHTML;
  async function tick() {
    if (document.hidden || element.contains(document.activeElement)) return;
    let url = element.dataset.poll;
    if (element.dataset.seen) {
      url += (url.includes("?") ? "&" : "?") + "seen=" + encodeURIComponent(element.dataset.seen);
    }
    let response;
    try {
      response = await fetch(url, {headers: {"X-Console-Poll": "1"}, credentials: "same-origin",
                                   cache: "no-store"});
    } catch (error) {
      return; // offline for a moment: try again at the next tick
    }
    if (response.status === 401) { window.location.reload(); return; }
    if (response.status !== 200) return;
    const html = await response.text();
    if (html === last) return;
    element.innerHTML = html;
    last = html;
    const marked = element.querySelector("[data-fingerprint]");
    if (marked) element.dataset.seen = marked.dataset.fingerprint;
  }
  window.setInterval(tick, seconds * 1000);
}

function fillFromCanned(select) {
  const target = document.getElementById(select.dataset.fills);
  select.addEventListener("change", () => {
    const option = select.selectedOptions[0];
    if (target && option && option.dataset.body !== undefined) target.value = option.dataset.body;
  });
}

document.querySelectorAll("[data-poll]").forEach(poll);
document.querySelectorAll("select[data-fills]").forEach(fillFromCanned);
