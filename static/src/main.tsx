import { render } from 'preact';
import { App } from './app';
import { AdminRoute, isAdminPath } from './admin/admin-route';
import './style.css';

render(isAdminPath(window.location.pathname) ? <AdminRoute gatewayUrl={window.location.origin} /> : <App />, document.getElementById('app') as HTMLElement);
