/* Figures that are too wide for the column (a widget's stand-in is 700-900 px wide; a phone's
   column is about 360) open at full size on a tap or a click, in a dialog that scrolls.
   No libraries, nothing from the network. Each figure is wrapped in a <button>, so the keyboard
   reaches it too; its name is the figure's alt text and "(tap to enlarge)" when it is shown smaller. */
(function () {
  "use strict";
  const FIGURES = ".cell_output img, .sn-scrubber img";
  let dialog, body;

  function makeDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "sn-zoom";
    dialog.setAttribute("aria-label", "Enlarged figure");
    const close = document.createElement("button");
    close.type = "button";
    close.className = "sn-zoom-close";
    close.textContent = "Close";
    close.addEventListener("click", () => dialog.close());
    body = document.createElement("div");
    body.className = "sn-zoom-body";
    body.tabIndex = 0;  // the keyboard can scroll it (arrow keys) when the figure is larger
    const note = document.createElement("p");
    note.className = "sn-zoom-note";
    note.textContent = "Wider than the screen: scroll sideways to see all of it.";
    dialog.append(close, note, body);
    // a click on the picture or around it closes too; scrolling does not
    body.addEventListener("click", () => dialog.close());
    // the close event comes a moment later: the dialog may already show the next figure
    dialog.addEventListener("close", () => { if (!dialog.open) body.replaceChildren(); });
    document.body.appendChild(dialog);
  }

  function markShrunk(button, img) {
    const shown = img.getBoundingClientRect().width;
    button.classList.toggle("sn-shrunk", img.naturalWidth > 0 && shown < 0.95 * img.naturalWidth);
  }

  function wrap(img) {
    if (img.closest("button, a")) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sn-enlarge";
    const hint = document.createElement("span");
    hint.className = "sn-enlarge-hint";
    hint.textContent = "(tap to enlarge)";
    img.parentNode.insertBefore(button, img);
    button.append(img, hint);
    button.addEventListener("click", () => {
      const big = document.createElement("img");
      big.src = img.currentSrc || img.src;
      big.alt = img.alt;
      big.width = img.naturalWidth;
      body.replaceChildren(big);
      dialog.classList.toggle("sn-wide", img.naturalWidth > window.innerWidth - 16);
      dialog.showModal();
    });
    const update = () => markShrunk(button, img);
    if (img.complete) update(); else img.addEventListener("load", update);
    window.addEventListener("resize", update);
  }

  function init() {
    makeDialog();
    document.querySelectorAll(FIGURES).forEach(wrap);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

/* sphinx-togglebutton names every solution's button "Toggle hidden content", which a screen
   reader announces fifteen times a chapter without saying what it opens. Each button is named
   after its solution instead ("Show or hide: Solution to Exercise 6.4 ...") and points at the
   content it folds (aria-controls). Runs after togglebutton.js has added the buttons. */
window.addEventListener("load", function () {
  "use strict";
  document.querySelectorAll(".solution > .admonition-title").forEach((title) => {
    const button = title.querySelector("button.toggle-button");
    if (!button) return;
    const name = [...title.childNodes].filter((n) => n !== button)
      .map((n) => n.textContent).join("").replace(/\s+/g, " ").trim();
    button.setAttribute("aria-label", "Show or hide: " + name);
    const content = title.parentElement.querySelector(":scope > .solution-content, :scope > section");
    if (content && content.id) button.setAttribute("aria-controls", content.id);
  });
});


/* Search results: under each hit Sphinx shows the text around the first place the word appears
   in the page, taken from the whole main column. That column begins with the page's contents
   list for printing (hidden on screen), so a search for "momentum" showed "7.1. What you will
   build 7.2. Why plain gradient descent struggles ..." instead of a sentence. The list is left
   out of that text. Search (searchtools.js) loads after this file, on the search page only. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
  const htmlToText = Search.htmlToText;
  Search.htmlToText = (html, anchor) => {
    const page = new DOMParser().parseFromString(html, "text/html");
    page.querySelectorAll(".onlyprint").forEach((el) => el.remove());
    return htmlToText(page.documentElement.outerHTML, anchor);
  };
});
