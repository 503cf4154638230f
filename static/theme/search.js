/* The search page: results as you type, from the site's Pagefind index (one bundle per
   year, merged with mergeIndex). Without JavaScript the page explains and links the archive. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  var input = document.getElementById("search-q");
  var section = document.getElementById("search-section");
  var year = document.getElementById("search-year");
  var sort = document.getElementById("search-sort");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var bundles = (form.getAttribute("data-bundles") || "").split(" ").filter(Boolean);
  var loading = null;
  var sequence = 0;
  var timer = 0;
  document.getElementById("search-nojs").hidden = true;

  function load() {
    if (!loading) {
      loading = import(bundles[0] + "pagefind.js").then(function (pagefind) {
        var merged = Promise.resolve();
        bundles.slice(1).forEach(function (bundle) {
          merged = merged.then(function () { return pagefind.mergeIndex(bundle); });
        });
        return merged.then(function () { return pagefind; });
      });
    }
    return loading;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Pagefind's excerpt is text with <mark> around the matched words: rebuild it as text
  // nodes and <mark> elements, so nothing in an article's text is ever parsed as markup.
  function excerpt(html) {
    var node = element("p", "search-excerpt");
    var parser = new DOMParser();
    html.split(/(<\/?mark>)/).reduce(function (marked, part) {
      if (part === "<mark>") return true;
      if (part === "</mark>") return false;
      var text = parser.parseFromString(part, "text/html").body.textContent;
      node.appendChild(marked ? element("mark", "", text) : document.createTextNode(text));
      return marked;
    }, false);
    return node;
  }

  function result(data) {
    var meta = data.meta || {};
    var item = element("li", "search-result");
    var line = element("p", "search-meta");
    if (meta.section) line.appendChild(element("span", "kicker", meta.section));
    if (meta.date) line.appendChild(element("span", "search-date", meta.date));
    var heading = element("h2", "search-title");
    var link = element("a", "", meta.title || data.url);
    link.href = data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    item.appendChild(line);
    if (meta.dek) item.appendChild(element("p", "search-dek", meta.dek));
    item.appendChild(excerpt(data.excerpt || ""));
    return item;
  }

  function remember(term) {
    var params = new URLSearchParams();
    if (term) params.set("q", term);
    [section, year, sort].forEach(function (select) {
      if (select.value) params.set(select.name, select.value);
    });
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
  }

  function run() {
    var mine = ++sequence;
    var term = input.value.trim();
    remember(term);
    if (!term) {
      status.textContent = "";
      list.replaceChildren();
      return;
    }
    if (!bundles.length) {
      status.textContent = "Nothing has been published yet.";
      return;
    }
    var filters = {};
    if (section.value) filters.section = section.value;
    if (year.value) filters.year = year.value;
    var options = { filters: filters };
    if (sort.value) options.sort = { date: "desc" };
    load().then(function (pagefind) {
      return pagefind.search(term, options);
    }).then(function (search) {
      if (mine !== sequence || !search) return null;
      return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }))
        .then(function (items) {
          if (mine !== sequence) return;
          var count = search.results.length;
          status.textContent = count
            ? count + (count === 1 ? " story matches " : " stories match ") + "\u201c" + term + "\u201d"
              + (count > items.length ? "; the first " + items.length + " are shown." : ".")
            : "No stories match \u201c" + term + "\u201d.";
          list.replaceChildren.apply(list, items.map(result));
        });
    }).catch(function () {
      if (mine !== sequence) return;
      status.textContent = "Search could not load. Every story is in the archive.";
    });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  }

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  [section, year, sort].forEach(function (select) {
    var wanted = params.get(select.name);
    if (wanted && Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) {
      select.value = wanted;
    }
    select.addEventListener("change", run);
  });
  input.addEventListener("input", soon);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  if (input.value) run();
}());
