//! `threatdb admin`: operator commands working directly on the database.

use crate::config::DataArgs;
use anyhow::{Context, Result, anyhow};
use clap::{Args, Subcommand};
use threatdb_core::{AdminStore, OwnerKind, Role};
use threatdb_server::passwords::{check_new_password, generate_password, hash_password};
use threatdb_server::provision::{create_api_user, create_web_login};

#[derive(Args, Debug)]
pub struct AdminArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Owners: organizations, communities and sources.
    #[command(subcommand)]
    Owner(OwnerCommand),
    /// API users.
    #[command(subcommand)]
    User(UserCommand),
    /// Memberships: which owners a user may read or write.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Custom security labels.
    #[command(subcommand)]
    Label(LabelCommand),
    /// API tokens (`Authorization: TC-Token ...`).
    #[command(subcommand)]
    Token(TokenCommand),
    /// HMAC keys (access id and secret key).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Back up the SQLite store while the server runs: one file holding a consistent copy of
    /// the database and the data directory's master key and credentials (PostgreSQL: pg_dump).
    Backup(crate::backup::BackupArgs),
    /// Restore a backup made by `admin backup` into a data directory (checked first; refuses a
    /// directory that is not empty without --force, and a database a server has open).
    Restore(crate::backup::RestoreArgs),
    /// The audit log: list it, verify its hash chain, export it as JSON lines.
    #[command(subcommand)]
    Audit(crate::audit::AuditCommand),
}

/// The audit log's record of a command that changes something: its action and target.
fn describe(command: &AdminCommand) -> Option<(&'static str, String)> {
    Some(match command {
        AdminCommand::Owner(OwnerCommand::Create { name, kind }) => {
            ("admin.owner.create", format!("{kind} '{name}'"))
        }
        AdminCommand::User(UserCommand::Create {
            name, org, role, ..
        }) => (
            "admin.user.create",
            format!("'{name}' in '{org}' as {role}"),
        ),
        AdminCommand::User(UserCommand::Web {
            access_id, login, ..
        }) => ("admin.user.web", format!("{access_id} as login '{login}'")),
        AdminCommand::User(UserCommand::Password { login, .. }) => {
            ("admin.user.password", format!("login '{login}'"))
        }
        AdminCommand::User(UserCommand::Disable { user }) => {
            ("admin.user.disable", format!("'{user}'"))
        }
        AdminCommand::User(UserCommand::Enable { user }) => {
            ("admin.user.enable", format!("'{user}'"))
        }
        AdminCommand::Member(MemberCommand::Add {
            access_id,
            owner,
            role,
        }) => (
            "admin.member.add",
            format!("{access_id} in '{owner}' as {role}"),
        ),
        AdminCommand::Member(MemberCommand::Remove { user, owner }) => {
            ("admin.member.remove", format!("'{user}' from '{owner}'"))
        }
        AdminCommand::Label(LabelCommand::Create { owner, name, .. }) => {
            ("admin.label.create", format!("'{name}' in '{owner}'"))
        }
        AdminCommand::Token(TokenCommand::Create { user, expires }) => (
            "admin.token.create",
            format!("for '{user}', expires {expires}"),
        ),
        AdminCommand::Token(TokenCommand::Revoke { id }) => {
            ("admin.token.revoke", format!("token {id}"))
        }
        AdminCommand::Key(KeyCommand::Rotate { user }) => ("admin.key.rotate", format!("'{user}'")),
        AdminCommand::Key(KeyCommand::Revoke { user }) => ("admin.key.revoke", format!("'{user}'")),
        AdminCommand::Owner(OwnerCommand::List)
        | AdminCommand::User(UserCommand::List)
        | AdminCommand::Token(TokenCommand::List)
        | AdminCommand::Backup(_)
        | AdminCommand::Restore(_)
        | AdminCommand::Audit(_) => return None,
    })
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Create an API token acting as a user and print it (shown only once; only its hash is
    /// stored).
    Create {
        /// The user: access id, web login, or display name.
        #[arg(long)]
        user: String,
        /// How long it works: 30d, 12h, 90m, or never.
        #[arg(long, default_value = "90d")]
        expires: String,
    },
    /// List every token (id, user, created, expires, last used, revoked).
    List,
    /// Revoke a token: refused on every node within a second.
    Revoke {
        /// The token's id (from `token list`).
        id: i64,
    },
}

#[derive(Subcommand, Debug)]
enum KeyCommand {
    /// Give a user a new secret key (printed once); the old one stops working.
    Rotate {
        /// The user: access id, web login, or display name.
        #[arg(long)]
        user: String,
    },
    /// Revoke a user's HMAC key: the user stays (tokens, web sign-in), HMAC requests are refused.
    Revoke {
        /// The user: access id, web login, or display name.
        #[arg(long)]
        user: String,
    },
}

#[derive(Subcommand, Debug)]
enum OwnerCommand {
    /// Create an owner.
    Create {
        /// Its name (unique, case-insensitively).
        #[arg(long)]
        name: String,
        /// organization, community or source.
        #[arg(long = "type", default_value = "community")]
        kind: String,
    },
    /// List every owner.
    List,
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an API user and print its credentials (the secret is shown only once).
    Create {
        /// Display name, recorded as createdBy.
        #[arg(long)]
        name: String,
        /// The user's organization (its default owner).
        #[arg(long)]
        org: String,
        /// Role in that organization: read, write or admin.
        #[arg(long, default_value = "write")]
        role: String,
        /// Also let the user sign in to the web UI (with --login), seeing exactly what its
        /// memberships allow.
        #[arg(long)]
        web: bool,
        /// The web login name (with --web).
        #[arg(long, requires = "web")]
        login: Option<String>,
        /// Read the web password from standard input (one line) instead of generating one.
        #[arg(long, requires = "web")]
        password_stdin: bool,
    },
    /// Let an existing API user (the bootstrap administrator of an older installation, say)
    /// sign in to the web UI; the password is generated and printed unless --password-stdin.
    Web {
        /// The API user's access id.
        #[arg(long)]
        access_id: String,
        /// The web login name.
        #[arg(long)]
        login: String,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a web login's password (ends its sessions); generated and printed unless
    /// --password-stdin.
    Password {
        /// The web login name.
        #[arg(long)]
        login: String,
        /// Read the new password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a user: no HMAC, token or web sign-in works for it (on every node within a
    /// second).
    Disable {
        /// The user: access id, web login, or display name.
        user: String,
    },
    /// Enable a disabled user again.
    Enable {
        /// The user: access id, web login, or display name.
        user: String,
    },
    /// List every API user (id, access id, name, web login, state).
    List,
}

#[derive(Subcommand, Debug)]
enum MemberCommand {
    /// Give a user a role in an owner (or change it).
    Add {
        /// The user's access id.
        #[arg(long)]
        access_id: String,
        /// The owner's name.
        #[arg(long)]
        owner: String,
        /// read, write or admin.
        #[arg(long, default_value = "read")]
        role: String,
    },
    /// End a user's membership of an owner (not of its own organization).
    Remove {
        /// The user: access id, web login, or display name.
        #[arg(long)]
        user: String,
        /// The owner's name.
        #[arg(long)]
        owner: String,
    },
}

#[derive(Subcommand, Debug)]
enum LabelCommand {
    /// Define a security label in an owner.
    Create {
        /// The owner's name.
        #[arg(long)]
        owner: String,
        /// The label's name.
        #[arg(long)]
        name: String,
        /// What it means.
        #[arg(long, default_value = "")]
        description: String,
        /// Colour as six hex digits.
        #[arg(long, default_value = "808080")]
        color: String,
    },
}

async fn owner(store: &dyn AdminStore, name: &str) -> Result<threatdb_core::Owner> {
    store
        .owner_by_name(name)
        .await
        .map_err(|_| anyhow!("no owner is named '{name}' (see: threatdb admin owner list)"))
}

async fn user(store: &dyn AdminStore, user: &str) -> Result<threatdb_core::ApiUserInfo> {
    store.find_user(user).await.map_err(|e| match e {
        threatdb_core::StoreError::NotFound => anyhow!(
            "no API user has the access id, web login or name '{user}' (see: threatdb admin user list)"
        ),
        other => other.into(),
    })
}

/// `30d`, `12h`, `90m`, `3600s` or `never`.
pub(crate) fn parse_lifetime(text: &str) -> Result<Option<time::Duration>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    let bad = || anyhow!("'{text}': give a number and a unit (30d, 12h, 90m, 3600s) or never");
    let unit = text.chars().last().ok_or_else(bad)?;
    let n: i64 = text.trim_end_matches(unit).parse().map_err(|_| bad())?;
    if n <= 0 || n > 100 * 365 * 24 * 3600 {
        return Err(bad());
    }
    Ok(Some(match unit {
        'd' => time::Duration::days(n),
        'h' => time::Duration::hours(n),
        'm' => time::Duration::minutes(n),
        's' => time::Duration::seconds(n),
        _ => return Err(bad()),
    }))
}

fn when(t: Option<threatdb_core::Timestamp>, none: &str) -> String {
    t.map_or_else(|| none.to_string(), threatdb_core::format_timestamp)
}

/// A web password: one line from standard input (checked), or a generated one. The flag says
/// whether it was generated (and so must be printed).
fn web_password(from_stdin: bool) -> Result<(String, bool)> {
    if !from_stdin {
        return Ok((generate_password(), true));
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    check_new_password(&password)?;
    Ok((password, false))
}

pub async fn run(args: AdminArgs) -> Result<()> {
    // These two must not open (and so create or migrate) the store.
    let command = match args.command {
        AdminCommand::Backup(backup) => return crate::backup::backup(&args.data, backup).await,
        AdminCommand::Restore(restore) => {
            return crate::backup::restore(&args.data, restore).await;
        }
        other => other,
    };
    args.data.ensure_dir()?;
    let opened = args.data.open_store().await?;
    let store: &dyn AdminStore = opened.admin();
    if let AdminCommand::Audit(audit) = command {
        return crate::audit::run(audit, store, opened.store().as_ref()).await;
    }
    let described = describe(&command);
    let done = execute(command, &args.data, &opened).await;
    if let Some((action, target)) = described {
        crate::audit::record(opened.store().as_ref(), "admin", action, &target, &done).await;
    }
    done
}

async fn execute(
    command: AdminCommand,
    data: &crate::config::DataArgs,
    opened: &crate::config::OpenStore,
) -> Result<()> {
    let store: &dyn AdminStore = opened.admin();
    match command {
        AdminCommand::Backup(_) | AdminCommand::Restore(_) | AdminCommand::Audit(_) => {}
        AdminCommand::Owner(OwnerCommand::Create { name, kind }) => {
            let o = store.create_owner(&name, OwnerKind::parse(&kind)?).await?;
            println!("created {} '{}' (id {})", o.kind, o.name, o.id);
        }
        AdminCommand::Owner(OwnerCommand::List) => {
            for o in store.all_owners().await? {
                println!("{}\t{}\t{}", o.id, o.kind, o.name);
            }
        }
        AdminCommand::User(UserCommand::Create {
            name,
            org,
            role,
            web,
            login,
            password_stdin,
        }) => {
            let keys = data.master_key()?;
            let org = owner(store, &org).await?;
            let role = Role::parse(&role)?;
            // Everything about the web login is checked before the API user is made.
            let web_login = match (web, login) {
                (false, _) => None,
                (true, None) => anyhow::bail!("--web needs --login NAME"),
                (true, Some(login)) => {
                    let login = threatdb_core::web::parse_login(&login)?;
                    if opened.store().web_login(&login).await?.is_some() {
                        anyhow::bail!("the login name '{login}' is taken");
                    }
                    Some((login, web_password(password_stdin)?))
                }
            };
            let (access_id, secret) = create_api_user(store, &keys, &name, org.id, role).await?;
            println!("TC_API_ACCESS_ID={access_id}");
            println!("TC_API_SECRET_KEY={secret}");
            println!("TC_API_DEFAULT_ORG='{}'", org.name);
            if let Some((login, (password, generated))) = web_login {
                create_web_login(store, &access_id, &login, &password).await?;
                println!("THREATDB_WEB_LOGIN={login}");
                if generated {
                    println!("THREATDB_WEB_PASSWORD={password}");
                }
            }
        }
        AdminCommand::User(UserCommand::Web {
            access_id,
            login,
            password_stdin,
        }) => {
            let login = threatdb_core::web::parse_login(&login)?;
            let (password, generated) = web_password(password_stdin)?;
            create_web_login(store, &access_id, &login, &password).await?;
            println!("THREATDB_WEB_LOGIN={login}");
            if generated {
                println!("THREATDB_WEB_PASSWORD={password}");
            }
        }
        AdminCommand::User(UserCommand::Password {
            login,
            password_stdin,
        }) => {
            let (password, generated) = web_password(password_stdin)?;
            store
                .set_web_password(&login, &hash_password(&password))
                .await
                .map_err(|e| match e {
                    threatdb_core::StoreError::NotFound => {
                        anyhow!("no web login is named '{login}'")
                    }
                    other => other.into(),
                })?;
            println!("the password of '{login}' is changed; its sessions have ended");
            if generated {
                println!("THREATDB_WEB_PASSWORD={password}");
            }
        }
        AdminCommand::Member(MemberCommand::Add {
            access_id,
            owner: name,
            role,
        }) => {
            let o = owner(store, &name).await?;
            let role = Role::parse(&role)?;
            store.set_membership(&access_id, o.id, role).await?;
            println!("{access_id} now has role {} in '{}'", role.as_str(), o.name);
        }
        AdminCommand::Token(TokenCommand::Create { user: who, expires }) => {
            let u = user(store, &who).await?;
            let expires = parse_lifetime(&expires)
                .context("--expires")?
                .map(|d| threatdb_core::date::now().checked_add(d))
                .map(|t| t.ok_or_else(|| anyhow!("--expires is too far away")))
                .transpose()?;
            let token = threatdb_server::secrets::generate_api_token();
            let id = store
                .create_token(threatdb_core::NewApiToken {
                    user_id: u.id,
                    token_hash: threatdb_server::secrets::token_hash(&token),
                    expires,
                })
                .await?;
            eprintln!(
                "token {id} acts as '{}' ({}), expires {}; shown only this once:",
                u.name,
                u.access_id,
                when(expires, "never")
            );
            println!("TC_TOKEN={token}");
        }
        AdminCommand::Token(TokenCommand::List) => {
            println!("id\taccess_id\tuser\tcreated\texpires\tlast_used\trevoked");
            for t in store.tokens().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.access_id,
                    t.user_name.escape_default(),
                    threatdb_core::format_timestamp(t.created),
                    when(t.expires, "never"),
                    when(t.last_used, "-"),
                    if t.revoked { "revoked" } else { "-" }
                );
            }
        }
        AdminCommand::Token(TokenCommand::Revoke { id }) => {
            store.revoke_token(id).await.map_err(|e| match e {
                threatdb_core::StoreError::NotFound => anyhow!("no token has id {id}"),
                other => other.into(),
            })?;
            println!("token {id} is revoked");
        }
        AdminCommand::Key(KeyCommand::Rotate { user: who }) => {
            let keys = data.master_key()?;
            let u = user(store, &who).await?;
            let secret = threatdb_server::secrets::generate_secret();
            store.set_api_key(u.id, keys.seal(&secret)).await?;
            eprintln!(
                "the old secret key of '{}' no longer works; the new one is shown only this once:",
                u.name
            );
            println!("TC_API_ACCESS_ID={}", u.access_id);
            println!("TC_API_SECRET_KEY={secret}");
        }
        AdminCommand::Key(KeyCommand::Revoke { user: who }) => {
            let u = user(store, &who).await?;
            store.revoke_api_key(u.id).await?;
            println!(
                "the HMAC key of '{}' ({}) is revoked (rotate it to issue a new one)",
                u.name, u.access_id
            );
        }
        AdminCommand::User(UserCommand::Disable { user: who }) => {
            let u = user(store, &who).await?;
            store.set_user_disabled(u.id, true).await?;
            println!("'{}' ({}) is disabled", u.name, u.access_id);
        }
        AdminCommand::User(UserCommand::Enable { user: who }) => {
            let u = user(store, &who).await?;
            store.set_user_disabled(u.id, false).await?;
            println!("'{}' ({}) is enabled", u.name, u.access_id);
        }
        AdminCommand::User(UserCommand::List) => {
            println!("id\taccess_id\tname\tlogin\tstate");
            for u in store.users().await? {
                let state = match (u.disabled, u.key_revoked) {
                    (true, _) => "disabled",
                    (false, true) => "key revoked",
                    (false, false) => "active",
                };
                println!(
                    "{}\t{}\t{}\t{}\t{state}",
                    u.id,
                    u.access_id,
                    u.name.escape_default(),
                    u.login.as_deref().unwrap_or("-")
                );
            }
        }
        AdminCommand::Member(MemberCommand::Remove {
            user: who,
            owner: name,
        }) => {
            let u = user(store, &who).await?;
            let o = owner(store, &name).await?;
            store
                .remove_membership(u.id, o.id)
                .await
                .map_err(|e| match e {
                    threatdb_core::StoreError::NotFound => {
                        anyhow!("'{}' is not a member of '{}'", u.name, o.name)
                    }
                    other => other.into(),
                })?;
            println!("'{}' is no longer a member of '{}'", u.name, o.name);
        }
        AdminCommand::Label(LabelCommand::Create {
            owner: name,
            name: label,
            description,
            color,
        }) => {
            let o = owner(store, &name).await?;
            let l = store
                .create_label(o.id, &label, &description, &color)
                .await?;
            println!("created security label '{}' in '{}'", l.name, o.name);
        }
    }
    Ok(())
}
