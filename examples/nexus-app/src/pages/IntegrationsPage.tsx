import { useEffect, useState } from "react";
import { Link } from "react-router";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { integrations } from "@/integrations/registry";
import { supabase } from "@/lib/supabase";

interface Connection {
  integration_id: string;
  status: string;
  last_sync_at: string | null;
}

const STATUS_LABEL: Record<string, string> = {
  connected: "Connected",
  needs_reauth: "Reconnect needed",
  error: "Error",
  disconnected: "Not connected",
};

/** Every integration the app offers, with the signed-in user's connection status (read through RLS). */
export function IntegrationsPage() {
  const [connections, setConnections] = useState<Record<string, Connection>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void supabase
      .from("nexus_user_integrations")
      .select("integration_id, status, last_sync_at")
      .then(({ data, error: queryError }) => {
        if (queryError) {
          setError(queryError.message);
          return;
        }
        const rows = (data ?? []) as Connection[];
        setConnections(Object.fromEntries(rows.map((row) => [row.integration_id, row])));
      });
  }, []);

  return (
    <main className="page">
      <Card>
        <CardHeader>
          <CardTitle>Integrations</CardTitle>
          <CardDescription>Connect the services your team already uses.</CardDescription>
        </CardHeader>
        <CardContent>
          {error ? (
            <p role="alert" className="integration-error">
              {error}
            </p>
          ) : null}
          {integrations.length === 0 ? <p>No integrations yet: run `nexus-integrate new &lt;provider&gt;`.</p> : null}
          <ul className="integration-list">
            {integrations.map((integration) => {
              const status = connections[integration.id]?.status ?? "disconnected";
              return (
                <li key={integration.id} data-integration={integration.id} data-status={status}>
                  <span className="integration-name">{integration.name}</span>
                  <span className={`status status-${status}`}>{STATUS_LABEL[status] ?? status}</span>
                  <Link className="button button-secondary" to={integration.setupPath}>
                    {status === "connected" ? "Manage" : "Connect"}
                  </Link>
                </li>
              );
            })}
          </ul>
        </CardContent>
      </Card>
    </main>
  );
}
