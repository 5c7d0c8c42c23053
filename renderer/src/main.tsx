import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../styles.css';
import { App } from './App';
import { WindowStoreProvider } from './store/context';

const root = document.getElementById('root');
if (!root) throw new Error('The page has no #root element.');
createRoot(root).render(
  <StrictMode>
    <WindowStoreProvider>
      <App />
    </WindowStoreProvider>
  </StrictMode>,
);
