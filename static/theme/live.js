// newsgen: an open live blog looks for new updates and offers them; it never moves the
// page by itself. The page is complete without this script.
(function () {
  "use strict";
  var list = document.querySelector(".live-updates[data-live-updates]");
  if (!list || !window.fetch) { return; }
  var url = list.getAttribute("data-live-updates");
  var every = 60000;
  var waiting = [];
  var button = document.createElement("button");
  button.type = "button";
  button.className = "live-new-updates";
  button.hidden = true;
  var status = document.createElement("p");
  status.className = "live-poll-status";
  status.setAttribute("role", "status");
  status.appendChild(button);
  list.parentNode.insertBefore(status, list);

  function fresh(data) {
    return (data.updates || []).filter(function (u) { return !document.getElementById(u.id); });
  }
  function offer(updates) {
    waiting = updates;
    if (!waiting.length) { button.hidden = true; return; }
    var label = list.getAttribute(waiting.length === 1 ? "data-label-one" : "data-label-many");
    button.textContent = label ? label.replace(/\d+/, String(waiting.length))  // page's language
      : waiting.length === 1 ? "1 new update" : waiting.length + " new updates";
    button.hidden = false;
  }
  function show() {
    var first = list.firstChild;
    for (var i = 0; i < waiting.length; i++) {
      var item = document.createElement("article");
      item.className = "live-update live-update-new" + (waiting[i].key ? " live-update-key" : "");
      item.setAttribute("aria-labelledby", waiting[i].id);
      var meta = document.createElement("p");
      meta.className = "live-update-meta";
      var time = document.createElement("time");
      time.dateTime = waiting[i].time;
      time.textContent = waiting[i].hhmm;
      meta.appendChild(time);
      if (waiting[i].author) { meta.appendChild(document.createTextNode(" " + waiting[i].author)); }
      item.appendChild(meta);
      item.insertAdjacentHTML("beforeend", waiting[i].html);  // same-origin, built by newsgen
      list.insertBefore(item, first);
    }
    waiting = [];
    button.hidden = true;
    var heading = list.querySelector("h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }
  function poll() {
    fetch(url, {cache: "no-store"}).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { offer(fresh(data)); } })
      .catch(function () {});
  }
  button.addEventListener("click", show);
  window.NEWSGEN_LIVE_POLL = poll;  // lets a test ask now instead of waiting a minute
  setInterval(poll, every);
}());
