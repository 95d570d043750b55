// The dashboard's entry: `?ws=ws://host:port` picks the node (default: the page's host on
// port 9944), `?zones=A,B,C` names the zones.

import { GridModel } from './model.js';
import { Dashboard } from './view.js';
import { follow } from './chain.js';

const params = new URLSearchParams(location.search);
const url = params.get('ws') ?? `ws://${location.hostname || '127.0.0.1'}:9944`;
const zoneNames = (params.get('zones') ?? '').split(',').filter(Boolean);

const model = new GridModel();
const view = new Dashboard(model, { zoneNames });
// For the browser test and the curious: the page's model and charts.
window.daegDashboard = view;
document.getElementById('node').textContent = url;
follow(url, model, { onUpdate: () => view.render(), onState: (s) => view.setState(s) })
  .catch((e) => view.setState(`error: ${e.message ?? e}`));
