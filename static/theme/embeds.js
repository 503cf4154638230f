// newsgen: third-party embeds load only when the reader asks.
// Each <figure class="embed" data-embed="FRAME"> holds a static placeholder; this adds a
// button that swaps it for the provider's frame. Frames from any other origin are refused,
// so an attribute slipped into an article cannot load a page of its choosing.
(function () {
  "use strict";
  var ORIGINS = ["https://www.youtube-nocookie.com/", "https://player.vimeo.com/",
    "https://platform.twitter.com/", "https://www.instagram.com/", "https://www.tiktok.com/",
    "https://datawrapper.dwcdn.net/", "https://flo.uri.sh/", "https://www.openstreetmap.org/"];
  function allowed(url) {
    for (var i = 0; i < ORIGINS.length; i++) {
      if (url.indexOf(ORIGINS[i]) === 0) { return true; }
    }
    return false;
  }
  function load(figure, holder, frameUrl, title) {
    var frame = document.createElement("iframe");
    frame.src = frameUrl;
    frame.title = title;
    frame.className = "embed-frame";
    frame.setAttribute("allow", "encrypted-media; fullscreen; picture-in-picture");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    figure.replaceChild(frame, holder);
    figure.classList.add("embed-loaded");
    frame.focus();
  }
  var figures = document.querySelectorAll("figure.embed[data-embed]");
  Array.prototype.forEach.call(figures, function (figure) {
    var frameUrl = figure.getAttribute("data-embed");
    var holder = figure.querySelector(".embed-placeholder");
    if (!holder || !allowed(frameUrl)) { return; }
    var provider = holder.querySelector(".embed-provider");
    var titleNode = holder.querySelector(".embed-title");
    var labels = document.querySelector("[data-label-load]");  // the page's language, if set
    var title = titleNode ? titleNode.textContent
      : (labels && labels.getAttribute("data-label-embed")) || "Embedded content";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "embed-load";
    var what = provider ? provider.textContent : "content";
    button.textContent = labels ? labels.getAttribute("data-label-load").replace("{provider}", what)
      : "Load " + what;
    button.addEventListener("click", function () { load(figure, holder, frameUrl, title); });
    holder.appendChild(button);
  });
}());
