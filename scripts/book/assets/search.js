// The search box of the book's top bar: MiniSearch (assets/minisearch.js) over the sections of
// every page (assets/search-index.js, loaded before this file); prefix and fuzzy matches,
// ten results, each a link to its section.
(function () {
  'use strict';
  var box = document.getElementById('book-search');
  var list = document.getElementById('book-search-results');
  if (!box || !list || !window.MiniSearch || !window.BOOK_SEARCH_DOCS) return;
  var docs = window.BOOK_SEARCH_DOCS.map(function (d, i) {
    return { id: i, href: d.href, title: d.title, text: d.text };
  });
  var search = new window.MiniSearch({ fields: ['title', 'text'], storeFields: ['href', 'title'] });
  search.addAll(docs);
  box.addEventListener('input', function () {
    var query = box.value.trim();
    list.innerHTML = '';
    if (query.length < 2) return;
    var hits = search.search(query, { prefix: true, fuzzy: 0.2, boost: { title: 2 } }).slice(0, 10);
    if (hits.length === 0) {
      var none = document.createElement('li');
      none.textContent = 'no match';
      list.appendChild(none);
      return;
    }
    hits.forEach(function (hit) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = hit.href;
      link.textContent = hit.title;
      item.appendChild(link);
      list.appendChild(item);
    });
  });
})();
