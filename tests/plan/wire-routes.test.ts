import { describe, expect, it } from "vitest";
import { unwireRoutes, wireRoutes, type RouteWiring } from "../../src/plan/wire-routes.js";

const HUBSPOT: RouteWiring = {
  imports: 'import { HubSpotSetup } from "@/components/integrations/HubSpotSetup";\nimport { HubSpotCallbackPage } from "@/pages/integrations/HubSpotCallbackPage";\n',
  routes: '<Route path="/integrations/hubspot" element={<HubSpotSetup />} />\n<Route path="/integrations/hubspot/callback" element={<HubSpotCallbackPage />} />\n',
};

const ROUTES_APP = `import { BrowserRouter, Route, Routes } from "react-router-dom";
import Index from "./pages/Index";
import NotFound from "./pages/NotFound";

const App = () => (
  <BrowserRouter>
    <Routes>
      <Route path="/" element={<Index />} />
      {/* ADD ALL CUSTOM ROUTES ABOVE THE CATCH-ALL "*" ROUTE */}
      <Route path="*" element={<NotFound />} />
    </Routes>
  </BrowserRouter>
);

export default App;
`;

const OBJECT_ROUTER = `import { createBrowserRouter, RouterProvider } from "react-router-dom";
import { Layout } from "./Layout";
import { Home } from "./Home";

const router = createBrowserRouter([
  {
    path: "/",
    element: <Layout />,
    children: [{ index: true, element: <Home /> }],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}
`;

const ELEMENTS_ROUTER = `import { createBrowserRouter, createRoutesFromElements, Route } from "react-router-dom";
import { Root } from "./Root";

export const router = createBrowserRouter(
  createRoutesFromElements(
    <Route path="/" element={<Root />}>
      <Route path="about" element={<Root />} />
    </Route>,
  ),
);
`;

describe("wiring routes into the app's router file", () => {
  it("adds routes before the catch-all of <Routes>, imports after the app's, and keeps the rest byte for byte", () => {
    const wired = wireRoutes(ROUTES_APP, [HUBSPOT]);
    expect(wired.ok).toBe(true);
    if (!wired.ok) return;
    expect(wired.text).toContain('      <Route path="/integrations/hubspot" element={<HubSpotSetup />} />\n      <Route path="/integrations/hubspot/callback" element={<HubSpotCallbackPage />} />\n      <Route path="*" element={<NotFound />} />');
    expect(wired.text).toContain('import NotFound from "./pages/NotFound";\nimport { HubSpotSetup } from "@/components/integrations/HubSpotSetup";');
    expect(wired.text.indexOf("<Route path=\"/integrations/hubspot\"")).toBeLessThan(wired.text.indexOf('path="*"'));
    // The inverse takes out exactly what was added.
    const unwired = unwireRoutes(wired.text, [HUBSPOT]);
    expect(unwired).toEqual({ text: ROUTES_APP, edited: [] });
  });

  it("puts the imports after a trailing comment of the last import, and takes them out to the same bytes", () => {
    const commented = ROUTES_APP.replace('import NotFound from "./pages/NotFound";', 'import NotFound from "./pages/NotFound"; // the catch-all');
    const wired = wireRoutes(commented, [HUBSPOT]);
    if (!wired.ok) throw new Error(wired.reason);
    expect(wired.text).toContain('import NotFound from "./pages/NotFound"; // the catch-all\nimport { HubSpotSetup } from "@/components/integrations/HubSpotSetup";');
    expect(unwireRoutes(wired.text, [HUBSPOT])).toEqual({ text: commented, edited: [] });
  });

  it("is idempotent: wiring twice changes nothing the second time", () => {
    const once = wireRoutes(ROUTES_APP, [HUBSPOT]);
    if (!once.ok) throw new Error(once.reason);
    expect(wireRoutes(once.text, [HUBSPOT])).toEqual({ ok: true, text: once.text, changed: false });
  });

  it("adds route objects to the children of createBrowserRouter's layout route, and takes them out again", () => {
    const wired = wireRoutes(OBJECT_ROUTER, [HUBSPOT]);
    if (!wired.ok) throw new Error(wired.reason);
    expect(wired.text).toMatch(/children: \[\{ index: true, element: <Home \/> \}, \{\s*path: "\/integrations\/hubspot",\s*element: <HubSpotSetup \/>/);
    const unwired = unwireRoutes(wired.text, [HUBSPOT]);
    expect("text" in unwired && unwired.text).toBe(OBJECT_ROUTER);
  });

  it("adds <Route> elements inside createRoutesFromElements' root route", () => {
    const wired = wireRoutes(ELEMENTS_ROUTER, [HUBSPOT]);
    if (!wired.ok) throw new Error(wired.reason);
    expect(wired.text).toContain('      <Route path="about" element={<Root />} />\n      <Route path="/integrations/hubspot" element={<HubSpotSetup />} />');
    const unwired = unwireRoutes(wired.text, [HUBSPOT]);
    expect("text" in unwired && unwired.text).toBe(ELEMENTS_ROUTER);
  });

  it("refuses a file without a route tree, a path routed elsewhere, and a name imported from another module", () => {
    expect(wireRoutes("export const x = 1;\n", [HUBSPOT])).toEqual({ ok: false, reason: expect.stringContaining("has no <Routes> element") });
    const taken = ROUTES_APP.replace('<Route path="/" element={<Index />} />', '<Route path="/integrations/hubspot" element={<Index />} />');
    expect(wireRoutes(taken, [HUBSPOT])).toEqual({ ok: false, reason: "it already routes /integrations/hubspot to <Index />" });
    const clash = ROUTES_APP.replace('import Index from "./pages/Index";', 'import Index from "./pages/Index";\nimport { HubSpotSetup } from "./legacy/HubSpotSetup";');
    expect(wireRoutes(clash, [HUBSPOT])).toEqual({ ok: false, reason: 'it already imports HubSpotSetup from "./legacy/HubSpotSetup", not from "@/components/integrations/HubSpotSetup"' });
    expect(wireRoutes("const = ;", [HUBSPOT])).toEqual({ ok: false, reason: "it does not parse as TypeScript + JSX" });
  });

  it("leaves a route the user changed, says so, and keeps the import it still uses", () => {
    const wired = wireRoutes(ROUTES_APP, [HUBSPOT]);
    if (!wired.ok) throw new Error(wired.reason);
    const edited = wired.text.replace("element={<HubSpotSetup />}", "element={<HubSpotSetup onCancel={() => history.back()} />}");
    const unwired = unwireRoutes(edited, [HUBSPOT]);
    if (!("text" in unwired)) throw new Error(unwired.reason);
    expect(unwired.edited).toEqual(["/integrations/hubspot"]);
    expect(unwired.text).toContain('import { HubSpotSetup } from "@/components/integrations/HubSpotSetup";');
    expect(unwired.text).not.toContain("HubSpotCallbackPage");
  });
});
