import { Link, Route, Routes } from "react-router";
import { IntegrationsPage } from "@/pages/IntegrationsPage";
// nexus-integrate adds each integration's pages between these markers (`nexus-integrate remove` takes them out).
// <nexus-integrate:route-imports>
// </nexus-integrate:route-imports>

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <Link to="/" className="app-brand">
          Nexus
        </Link>
        <nav>
          <Link to="/integrations">Integrations</Link>
        </nav>
      </header>
      <Routes>
        <Route path="/" element={<IntegrationsPage />} />
        <Route path="/integrations" element={<IntegrationsPage />} />
        {/* <nexus-integrate:routes> */}
        {/* </nexus-integrate:routes> */}
      </Routes>
    </div>
  );
}
