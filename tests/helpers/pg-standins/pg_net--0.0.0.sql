-- A stand-in for pg_net with its documented signatures
-- (https://supabase.com/docs/guides/database/extensions/pg_net): net.http_post queues the request in
-- net.http_request_queue and returns its id, as pg_net does; pg_net's background worker would then send it.
-- Here a test loop reads the queue, sends each request, and writes the answer to net._http_response.
create schema if not exists net;

create table net.http_request_queue (
  id bigserial primary key,
  method text not null,
  url text not null,
  headers jsonb not null,
  body bytea,
  timeout_milliseconds integer not null
);

create table net._http_response (
  id bigint primary key,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);

create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
  language plpgsql
as $$
declare
  target text := url;
  request_id bigint;
begin
  if params is not null and params <> '{}'::jsonb then
    target := target || case when strpos(target, '?') > 0 then '&' else '?' end
      || (select string_agg(key || '=' || value, '&') from jsonb_each_text(params));
  end if;
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', target, headers, convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;
  return request_id;
end;
$$;

create function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
  language sql
as $$
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('GET', url, headers, null, timeout_milliseconds)
  returning id;
$$;
