import { Link, Route, Routes } from "react-router";
import { IntegrationsPage } from "@/pages/IntegrationsPage";

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <Link to="/">Nexus</Link>
        <nav>
          <Link to="/integrations">Integrations</Link>
        </nav>
      </header>
      <Routes>
        <Route path="/" element={<IntegrationsPage />} />
        <Route path="/integrations" element={<IntegrationsPage />} />
      </Routes>
    </div>
  );
}
