//! Writing an export: the header, the deployment's settings, then pool by pool everything a
//! moved deployment needs, a page at a time (nothing is held in memory beyond one page), and
//! the identity pools with their identities.

use super::format::{Header, Record};
use super::TransferError as Error;
use crate::secret::Secret;
use crate::store::{settings, Store};
use crate::userpool::model::ALL_CLIENTS;
use std::collections::BTreeMap;
use std::io::Write;

/// Records read per store request.
const PAGE: usize = 500;

/// What to export: everything, or the named pools only.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// User pools to export; with none named (and no identity pool named) every pool.
    pub pools: Vec<String>,
    /// Identity pools to export; with none named (and no user pool named) every one.
    pub identity_pools: Vec<String>,
    /// The header's `source`.
    pub source: String,
    /// The header's `exported_at`.
    pub exported_at: String,
}

impl ExportOptions {
    /// Whether the whole deployment is exported (settings too).
    fn everything(&self) -> bool {
        self.pools.is_empty() && self.identity_pools.is_empty()
    }
}

/// Records written, by kind.
pub type Counts = BTreeMap<&'static str, u64>;

/// Writes records to `out`, counting them.
struct Writer<'w> {
    out: &'w mut (dyn Write + Send),
    counts: Counts,
}

impl Writer<'_> {
    fn put(&mut self, record: &Record) -> Result<(), Error> {
        let mut line = record.to_line()?;
        line.push('\n');
        self.out
            .write_all(line.as_bytes())
            .map_err(|e| Error::Io("writing the export", e))?;
        *self.counts.entry(record.kind()).or_default() += 1;
        Ok(())
    }
}

/// Writes the export of `store` to `out`; the records written, by kind.
pub async fn export(
    store: &dyn Store,
    options: &ExportOptions,
    out: &mut (dyn Write + Send),
) -> Result<Counts, Error> {
    let header = Header::new(options.exported_at.clone(), options.source.clone());
    let mut w = Writer {
        out,
        counts: Counts::new(),
    };
    let mut line = serde_json::to_string(&header).map_err(crate::error::Error::from)?;
    line.push('\n');
    w.out
        .write_all(line.as_bytes())
        .map_err(|e| Error::Io("writing the export", e))?;
    if options.everything() {
        for key in settings::ALL {
            if let Some(value) = store.get_setting(key).await? {
                let (key, value) = (key.to_string(), Secret::new(value));
                w.put(&Record::Setting { key, value })?;
            }
        }
        let mut after: Option<String> = None;
        loop {
            let page = store.list_pools(after.as_deref(), PAGE).await?;
            for pool in &page.items {
                export_pool(store, &pool.id, &mut w).await?;
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let mut after: Option<String> = None;
        loop {
            let page = store.list_identity_pools(after.as_deref(), PAGE).await?;
            for pool in &page.items {
                export_identity_pool(store, &pool.id, &mut w).await?;
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    } else {
        for id in &options.pools {
            export_pool(store, id, &mut w).await?;
        }
        for id in &options.identity_pools {
            export_identity_pool(store, id, &mut w).await?;
        }
    }
    w.out
        .flush()
        .map_err(|e| Error::Io("writing the export", e))?;
    Ok(w.counts)
}

/// Follows `next` through a listing, writing each page's records.
macro_rules! each_page {
    ($w:expr, |$after:ident| $list:expr, |$item:ident| $record:expr) => {{
        let mut $after: Option<String> = None;
        loop {
            let page = $list.await?;
            for $item in page.items {
                $w.put(&$record)?;
            }
            match page.next {
                Some(next) => $after = Some(next),
                None => break,
            }
        }
    }};
}

/// One user pool and everything under it.
async fn export_pool(store: &dyn Store, pool_id: &str, w: &mut Writer<'_>) -> Result<(), Error> {
    let pool = store
        .get_pool(pool_id)
        .await?
        .ok_or_else(|| Error::Refused(format!("user pool {pool_id} does not exist")))?;
    w.put(&Record::UserPool { record: pool })?;
    let mut clients = vec![ALL_CLIENTS.to_string()];
    let mut after: Option<String> = None;
    loop {
        let page = store.list_clients(pool_id, after.as_deref(), PAGE).await?;
        for client in page.items {
            clients.push(client.client_id.clone());
            w.put(&Record::AppClient { record: client })?;
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    each_page!(
        w,
        |after| store.list_resource_servers(pool_id, after.as_deref(), PAGE),
        |record| Record::ResourceServer { record }
    );
    each_page!(
        w,
        |after| store.list_identity_providers(pool_id, after.as_deref(), PAGE),
        |record| Record::IdentityProvider { record }
    );
    for record in store.pool_domains(pool_id).await? {
        w.put(&Record::Domain { record })?;
    }
    for client in &clients {
        if let Some(record) = store.get_ui_customization(pool_id, client).await? {
            w.put(&Record::UiCustomization { record })?;
        }
    }
    each_page!(
        w,
        |after| store.list_groups(pool_id, after.as_deref(), PAGE),
        |record| Record::Group { record }
    );
    each_page!(
        w,
        |after| store.list_user_records(pool_id, after.as_deref(), PAGE),
        |r| Record::User {
            record: r.user,
            aliases: r.aliases
        }
    );
    each_page!(
        w,
        |after| store.list_pool_devices(pool_id, after.as_deref(), PAGE),
        |record| Record::Device { record }
    );
    Ok(())
}

/// One identity pool and its identities.
async fn export_identity_pool(
    store: &dyn Store,
    id: &str,
    w: &mut Writer<'_>,
) -> Result<(), Error> {
    let pool = store
        .get_identity_pool(id)
        .await?
        .ok_or_else(|| Error::Refused(format!("identity pool {id} does not exist")))?;
    w.put(&Record::IdentityPool { record: pool })?;
    each_page!(
        w,
        |after| store.list_identities(id, after.as_deref(), PAGE),
        |record| Record::Identity { record }
    );
    Ok(())
}
