import { useEffect, useState } from "react";
import { Link } from "react-router";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { supabase } from "@/lib/supabase";

interface UserIntegration {
  integration_id: string;
  integration_name: string;
  status: string;
  last_sync_at: string | null;
}

/** The user's connected integrations (read through RLS: only their own rows). */
export function IntegrationsPage() {
  const [rows, setRows] = useState<UserIntegration[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void supabase
      .from("user_integrations")
      .select("integration_id, integration_name, status, last_sync_at")
      .order("integration_name")
      .then(({ data, error: queryError }) => {
        if (queryError) setError(queryError.message);
        else setRows((data ?? []) as UserIntegration[]);
      });
  }, []);

  return (
    <main className="page">
      <Card>
        <CardHeader>
          <CardTitle>Integrations</CardTitle>
          <CardDescription>Services connected to your Nexus account.</CardDescription>
        </CardHeader>
        <CardContent>
          {error ? <p role="alert">{error}</p> : null}
          {rows.length === 0 && !error ? <p>No integrations connected yet.</p> : null}
          <ul className="integration-list">
            {rows.map((row) => (
              <li key={row.integration_id} data-integration={row.integration_id}>
                <Link to={`/integrations/${row.integration_id}`}>{row.integration_name}</Link>
                <span className={`status status-${row.status}`}>{row.status}</span>
              </li>
            ))}
          </ul>
        </CardContent>
      </Card>
    </main>
  );
}
