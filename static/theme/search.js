/* The search page: results as you type, from the site's Pagefind index. The index is in
   shards (a calendar span each: a year, a range of its months, a month, a range of its days
   or a day; named by the span's first day, so newest first in data-bundles and starting with
   the year, with their article counts in data-sizes). A query loads the newest shards until they hold WINDOW stories, and
   older shards only when the reader asks for them, filters by their year, or when the newer
   ones hold no match: the bytes a first result costs do not grow with the archive. Without
   JavaScript the page explains and links the archive. Its messages come in the page's
   language from the template (#search-strings, the theme's catalogs), in English without. */
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
  var sizes = (form.getAttribute("data-sizes") || "").split(" ").filter(Boolean).map(Number);
  var total = sizes.reduce(function (sum, n) { return sum + n; }, 0);
  var WINDOW = Number(form.getAttribute("data-first")) || 500;  // stories a first batch holds
  // Results shown at first, and added by "More results": each costs its fragment (1-2 KB),
  // so a first page of 10 rather than 20 keeps the bytes before the first result down.
  var PAGE = 10;
  var showing = PAGE;
  var wanted = 0;  // shards (a prefix of bundles) the reader's searches cover
  var merged = [];  // per shard: the promise of its mergeIndex, once started
  var client = null;
  var sequence = 0;
  var timer = 0;
  var ENGLISH = {
    older: "Search older stories",
    more: "More results",
    empty: "Nothing has been published yet.",
    failed: "Search could not load. Every story is in the archive.",
    none: "No stories match \u201c{term}\u201d.",
    matches: { one: "{count} story matches \u201c{term}\u201d",
               other: "{count} stories match \u201c{term}\u201d" },
    among: { one: " among the newest {searched} of {total} story",
             other: " among the newest {searched} of {total} stories" },
    shown: { one: "; the first {shown} is shown.", other: "; the first {shown} are shown." }
  };
  var island = document.getElementById("search-strings");
  var strings = island ? JSON.parse(island.textContent) : ENGLISH;
  var language = island ? document.documentElement.lang : "en";
  var plurals = new Intl.PluralRules(language);
  var numbers = new Intl.NumberFormat(language);
  var older = element("button", "search-older", say("older"));
  older.type = "button";
  older.hidden = true;
  status.tabIndex = -1;  // focus lands on the new count when older stories are searched
  list.parentNode.insertBefore(older, list.nextSibling);
  var more = element("button", "search-more", say("more"));
  more.type = "button";
  more.hidden = true;
  list.parentNode.insertBefore(more, list.nextSibling);
  document.getElementById("search-nojs").hidden = true;

  // A message in the page's language: a plural one (forms by CLDR category, as
  // Intl.PluralRules names them) chosen by ``count``; {name} replaced by vars[name].
  function say(key, count, vars) {
    var text = strings[key] || ENGLISH[key];
    if (typeof text === "object") text = text[plurals.select(count)] || text.other;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      var value = vars && vars[name];
      if (value === undefined) return whole;
      return typeof value === "number" ? numbers.format(value) : value;
    });
  }

  function shard(i) { return bundles[i].split("/").slice(-2)[0]; }

  // The shards up to the next batch: at least WINDOW stories, then each batch at least as
  // many stories as were already searched, so the whole archive is a few clicks away.
  function widen() {
    var searched = 0;
    for (var i = 0; i < wanted; i++) searched += sizes[i];
    var goal = Math.max(WINDOW, searched), added = 0;
    while (wanted < bundles.length && (added < goal || wanted === 0)) added += sizes[wanted++];
  }

  function chosen() {
    var picked = [];
    for (var i = 0; i < bundles.length; i++) {
      if (year.value ? shard(i).slice(0, 4) === year.value : i < wanted) picked.push(i);
    }
    return picked;
  }

  // Pagefind's client comes from the newest shard; each shard, merged, carries a synthetic
  // "shard" filter, so newest-first results can be taken shard by shard.
  function load(picked) {
    if (!client) {
      client = import(bundles[0] + "pagefind.js").then(function (pagefind) {
        return pagefind.options({ noWorker: true, mergeFilter: { shard: shard(0) } })
          .then(function () { return pagefind; });
      });
      merged[0] = client;
    }
    return client.then(function (pagefind) {
      picked.forEach(function (i) {  // at once: each shard's first files are one round trip
        if (!merged[i]) {
          merged[i] = pagefind.mergeIndex(bundles[i], { mergeFilter: { shard: shard(i) } });
        }
      });
      return Promise.all(picked.map(function (i) { return merged[i]; }))
        .then(function () { return pagefind; });
    });
  }

  // Newest first across shards: Pagefind ranks a sorted shard's results by their place in
  // that shard, so merged shards are interleaved; shards hold disjoint times, so the results
  // are taken a shard at a time, newest shard first, until a page is full.
  function newestFirst(pagefind, term, options, picked, found) {
    var counts = (found.filters && found.filters.shard) || {};
    var results = [];
    var chain = Promise.resolve();
    picked.forEach(function (i) {
      chain = chain.then(function () {
        if (results.length >= showing || !counts[shard(i)]) return null;
        var filters = Object.assign({}, options.filters, { shard: shard(i) });
        return pagefind.search(term, Object.assign({}, options, { filters: filters }))
          .then(function (one) { results = results.concat(one.results); });
      });
    });
    return chain.then(function () { return results; });
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

  // ``keep``: the same search showing more results (the "More results" button).
  function run(again, keep) {
    var mine = again === sequence ? again : ++sequence;
    if (!keep) showing = PAGE;
    var term = input.value.trim();
    remember(term);
    if (!term) {
      status.textContent = "";
      list.replaceChildren();
      older.hidden = true;
      more.hidden = true;
      return;
    }
    if (!bundles.length) {
      status.textContent = say("empty");
      return;
    }
    var filters = {};
    if (section.value) filters.section = section.value;
    if (year.value) filters.year = year.value;
    if (!wanted) widen();
    var picked = chosen();
    // Pagefind searches every shard merged so far (a year once chosen stays merged): keep
    // to the shards this search covers, so the results are the ones the status line names.
    if (picked.length < bundles.length) filters.shard = { any: picked.map(shard) };
    var options = { filters: filters };
    if (sort.value) options.sort = { date: "desc" };
    var pagefind = null;
    var count = 0;
    load(picked).then(function (loaded) {
      pagefind = loaded;
      return pagefind.search(term, options);
    }).then(function (found) {
      if (mine !== sequence || !found) return null;
      count = found.results.length;
      var complete = year.value || wanted >= bundles.length;
      if (!count && !complete) {  // nothing in the newer shards: look further back
        widen();
        return run(mine, keep);
      }
      var ordered = sort.value ? newestFirst(pagefind, term, options, picked, found)
        : Promise.resolve(found.results);
      return ordered.then(function (results) {
        return Promise.all(results.slice(0, showing).map(function (r) { return r.data(); }));
      }).then(function (items) {
        if (mine !== sequence) return;
        show(term, count, items, picked, complete, keep);
      });
    }).catch(function () {
      if (mine !== sequence) return;
      status.textContent = say("failed");
    });
  }

  function show(term, count, items, picked, complete, keep) {
    var before = list.children.length;
    var searched = picked.reduce(function (sum, i) { return sum + sizes[i]; }, 0);
    var vars = { term: term, count: count, searched: searched, total: total,
                 shown: items.length };
    var among = complete ? "" : say("among", total, vars);
    status.textContent = count
      ? say("matches", count, vars) + among
        + (count > items.length ? say("shown", items.length, vars) : ".")
      : say("none", 0, vars);
    list.replaceChildren.apply(list, items.map(result));
    older.hidden = complete;
    more.hidden = count <= items.length;
    // after "More results", the keyboard continues at the first result added
    if (keep && items.length > before) list.children[before].querySelector("a").focus();
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(function () { run(); }, 150);
  }

  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  [section, year, sort].forEach(function (select) {
    var wanted = params.get(select.name);
    if (wanted && Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) {
      select.value = wanted;
    }
    select.addEventListener("change", function () { run(); });
  });
  more.addEventListener("click", function () {
    showing += PAGE;
    run(undefined, true);
  });
  older.addEventListener("click", function () {
    widen();
    status.focus();
    run();
  });
  input.addEventListener("input", soon);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  if (input.value) run();
}());
