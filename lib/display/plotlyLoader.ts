/**
 * plotly.js for figures shown in a live Jupyter session, held once on disk instead of inside
 * every saved notebook.
 *
 * A figure's HTML fallback needs `window.Plotly`. Inlined, plotly.js (4.6 MB) makes a saved
 * notebook with a single figure weigh 4.7 MB. Instead, the kernel copies the bundle once into
 * `_plotly/plotly.min.js` beside the notebook (its working directory; `.gitignore` lists it),
 * and each figure carries a ~1.5 kB loader that fetches that copy from the Jupyter server's
 * `files/` route, the way plotly's own renderer points require.js at a copy it serves:
 *
 *   URL = base URL + "files/" + (notebook's folder) + "_plotly/plotly.min.js"
 *
 * The base URL and the notebook's path come from the page (classic Notebook's `<body>`
 * attributes, or JupyterLab / Notebook 7's `jupyter-config-data` and the address). Under
 * require.js (classic Notebook) the bundle is loaded as an AMD module; elsewhere by a
 * `<script>` element. Saved as HTML (`file://`), the copy is looked up beside the page.
 * Every figure carries the loader (it loads once per page), so a saved notebook draws even
 * when the output of the first figure was cleared.
 */
import * as fs from 'fs';
import * as path from 'path';
import { plotlyJsPath } from './figurePage';

/** Where the shared copy lives, relative to the notebook's folder. */
export const PLOTLY_COPY = '_plotly/plotly.min.js';

/**
 * True when a Jupyter server started this kernel (jupyter_client sets `JPY_PARENT_PID` for
 * the kernels it launches; the headless runner does not, and writes PNGs instead).
 */
export function launchedByJupyter(): boolean {
  return process.env.JPY_PARENT_PID !== undefined;
}

/**
 * Makes sure `<dir>/_plotly/plotly.min.js` holds this library's plotly.js (copied when
 * missing or of another size). Returns false when the folder cannot be written, so the
 * caller falls back to inlining the bundle.
 */
export function ensurePlotlyCopy(dir: string = process.cwd()): boolean {
  const target = path.join(dir, PLOTLY_COPY);
  try {
    const source = plotlyJsPath();
    if (fs.existsSync(target) && fs.statSync(target).size === fs.statSync(source).size) return true;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(source, target);
    return true;
  } catch {
    return false;
  }
}

/**
 * A `<script>` that loads the shared copy once per page and then draws every queued figure
 * (see {@link figureDivHtml}'s `__backpropPlotlyQueue`). A failed load writes the URL it
 * tried into the figures still empty.
 */
export function plotlyLoaderTag(relativePath: string = PLOTLY_COPY): string {
  const rel = JSON.stringify(relativePath);
  return `<script>(function(){
var w=window;
function flush(){var q=w.__backpropPlotlyQueue||[];w.__backpropPlotlyQueue=[];q.forEach(function(f){f();});}
if(w.Plotly){flush();return;}
if(w.__backpropPlotlyLoading){return;}
w.__backpropPlotlyLoading=true;
var rel=${rel},url=rel;
if(location.protocol!=='file:'){
var b=document.body,base=b.getAttribute('data-base-url'),nb=b.getAttribute('data-notebook-path');
if(base===null){try{base=JSON.parse(document.getElementById('jupyter-config-data').textContent).baseUrl;}
catch(e){base='/';}}
if(nb===null){
var m=/\\/(?:lab(?:\\/workspaces\\/[^\\/]+)?\\/tree|notebooks|doc\\/tree|tree)\\/(.*)$/.exec(location.pathname);
nb=m?decodeURIComponent(m[1]):'';}
var dir=nb.lastIndexOf('/')>=0?nb.slice(0,nb.lastIndexOf('/')+1):'';
var folder=dir.split('/').map(encodeURIComponent).join('/');
url=new URL(base.replace(/\\/?$/,'/')+'files/'+folder+rel,location.origin).href;}
function fail(){w.__backpropPlotlyLoading=false;
document.querySelectorAll('.backprop-figure:empty').forEach(function(d){
d.textContent='plotly.js could not be loaded from '+url+' (re-run a figure cell: the kernel copies it there)';});}
if(typeof w.requirejs==='function'&&typeof w.define==='function'&&w.define.amd){
w.requirejs.config({paths:{'backprop-plotly':url.replace(/\\.js$/,'')}});
w.requirejs(['backprop-plotly'],function(P){w.Plotly=P;flush();},fail);}
else{var s=document.createElement('script');s.src=url;s.onload=flush;s.onerror=fail;document.head.appendChild(s);}
})();</script>`;
}
