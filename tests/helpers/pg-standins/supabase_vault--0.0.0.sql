-- A stand-in for Supabase Vault with its documented interface
-- (https://supabase.com/docs/guides/database/vault): vault.create_secret(new_secret, new_name,
-- new_description, new_key_id) returns the secret's id, and vault.decrypted_secrets shows each secret with its
-- decrypted_secret. The real Vault encrypts `secret` with a key outside the database; this one keeps plaintext.
create schema if not exists vault;

create table vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text unique,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create function vault.create_secret(
  new_secret text,
  new_name text default null,
  new_description text default '',
  new_key_id uuid default null
) returns uuid
  language sql
as $$
  insert into vault.secrets (secret, name, description, key_id)
  values (new_secret, new_name, new_description, new_key_id)
  returning id;
$$;

create function vault.update_secret(
  secret_id uuid,
  new_secret text default null,
  new_name text default null,
  new_description text default null,
  new_key_id uuid default null
) returns void
  language sql
as $$
  update vault.secrets set
    secret = coalesce(new_secret, secret), name = coalesce(new_name, name),
    description = coalesce(new_description, description), key_id = coalesce(new_key_id, key_id),
    updated_at = now()
  where id = secret_id;
$$;

create view vault.decrypted_secrets as
  select id, name, description, secret, secret as decrypted_secret, key_id, nonce, created_at, updated_at
  from vault.secrets;
