// Draws every plotly figure of a book page from its JSON spec with the shared plotly.js
// (assets/plotly.min.js, loaded before this file). A figure that cannot be drawn says why.
(function () {
  'use strict';
  var figures = document.querySelectorAll('figure.plot');
  for (var i = 0; i < figures.length; i++) {
    var fig = figures[i];
    var target = fig.querySelector('.plotly-figure');
    try {
      if (!window.Plotly) throw new Error('assets/plotly.min.js did not load');
      var spec = JSON.parse(fig.querySelector('script.plotly-spec').textContent);
      window.Plotly.newPlot(target, spec.data, spec.layout, spec.config);
    } catch (e) {
      target.textContent = 'This figure could not be drawn: ' + e.message;
      target.className += ' figure-error';
    }
  }
})();
