/* newsgen: the live ticker. Pages other than the front page and the section fronts keep the
   ticker of their last build (so a new headline does not rewrite the whole site); this
   script replaces that list with the current one from ticker.json. Any failure leaves the
   page's own list as it is. Each item has a fixed height (see style.css), so the block does
   not change size and nothing on the page moves. */
(() => {
  "use strict";
  const block = document.querySelector("section.ticker[data-ticker]");
  if (!block || !window.fetch || !window.JSON) return;
  const list = block.querySelector(".ticker-list");
  fetch(block.getAttribute("data-ticker"), { cache: "no-cache", credentials: "omit" })
    .then((response) => (response.ok ? response.json() : null))
    .then((data) => {
      if (!list || !data || !Array.isArray(data.items) || !data.items.length) return;
      const items = data.items.slice(0, list.children.length || data.items.length).map((item) => {
        const li = document.createElement("li");
        const time = document.createElement("time");
        time.dateTime = String(item.time || "");
        time.textContent = String(item.hhmm || "");
        const text = document.createElement("span");
        text.className = "ticker-text";
        if (item.live) {
          const flag = document.createElement("span");
          flag.className = "flag flag-live";
          flag.textContent = block.getAttribute("data-label-live") || "Live";
          text.append(flag, " ");
        }
        const target = item.path || item.url;
        const label = document.createElement(target ? "a" : "span");
        if (target) label.href = String(target);
        label.textContent = String(item.title || "");
        text.append(label);
        li.append(time, " ", text);
        return li;
      });
      list.replaceChildren(...items);
      block.setAttribute("data-ticker-state", "current");
    })
    .catch(() => {});
})();
