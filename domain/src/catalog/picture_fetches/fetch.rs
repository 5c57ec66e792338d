//! Fetching one picture from an address a seller's file named, as a hostile server might answer it: http(s)
//! only; every address the name resolves to must be public (no loopback, private, link-local, multicast or
//! metadata address), checked after DNS resolution by the client's own resolver, so the address checked is the
//! address connected to, and again on every redirect (at most 3); the body is read up to the upload limit and the
//! whole fetch has a time limit.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

use crate::catalog::images::MAX_BYTES;

/// Redirects followed before a fetch fails.
const MAX_REDIRECTS: usize = 3;

/// Why a picture could not be fetched, in the words the import page shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchFailure {
    #[error("The address is not an http or https address.")]
    NotWeb,
    #[error("The address leads to a private or local network, which Bazaar does not fetch from.")]
    NotPublic,
    #[error("The address's site could not be reached.")]
    Unreachable,
    #[error("The site answered {0} instead of the picture.")]
    Status(u16),
    #[error("More than 3 redirects.")]
    TooManyRedirects,
    #[error("The picture took longer than {0} seconds to arrive.")]
    TooSlow(u64),
    #[error("The picture is larger than 10 MB.")]
    TooLarge,
}

/// An address a file may name for a picture: http(s), of a sane length, without control characters. Where it
/// leads is checked when it is fetched (`Fetcher::fetch`).
pub fn web_address(src: &str) -> bool {
    let lower = src.get(..8).unwrap_or(src).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && src.len() <= 2_000
        && !src.chars().any(char::is_control)
}

/// Whether an address may be connected to: public unicast only, unless loopback is allowed (tests).
pub fn allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_public(v4) || (allow_loopback && v4.is_loopback()),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_public(v4) || (allow_loopback && v4.is_loopback()),
            None => v6_public(v6) || (allow_loopback && v6.is_loopback()),
        },
    }
}

fn v4_public(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, where cloud metadata services answer
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn v6_public(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // Only global unicast (2000::/3), less documentation (2001:db8::/32) and NAT64 (64:ff9b::/96, which reaches
    // IPv4 addresses this check cannot see).
    (s[0] & 0xe000) == 0x2000 && !(s[0] == 0x2001 && s[1] == 0x0db8) && !(s[0] == 0x0064 && s[1] == 0xff9b)
}

/// The client's resolver: resolves as the system does and refuses a name with any address that is not public,
/// so a name that answers a public and a private address cannot be used to reach the private one.
struct PublicOnly {
    allow_loopback: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("not a public address")]
struct NotPublicError;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() || addrs.iter().any(|a| !allowed(a.ip(), allow_loopback)) {
                return Err(Box::new(NotPublicError) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Fetches pictures; one per process, shared by the worker's fetches.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    allow_loopback: bool,
    time_limit: Duration,
}

impl Fetcher {
    /// `allow_loopback` lets tests fetch from a server on this machine; it is off in every real shop (the server
    /// refuses it when it serves over https).
    pub fn new(allow_loopback: bool, time_limit: Duration) -> Fetcher {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(PublicOnly { allow_loopback }))
            // Redirects are followed here, one at a time, each address checked.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name itself, past the check.
            .no_proxy()
            .connect_timeout(Duration::from_secs(5))
            .user_agent("Bazaar picture import")
            .build()
            .expect("a client with no TLS files to read builds");
        Fetcher {
            client,
            allow_loopback,
            time_limit,
        }
    }

    /// The picture's bytes, or why not; never longer than the time limit.
    pub async fn fetch(&self, address: &str) -> Result<Vec<u8>, FetchFailure> {
        let seconds = self.time_limit.as_secs();
        tokio::time::timeout(self.time_limit, self.follow(address))
            .await
            .unwrap_or(Err(FetchFailure::TooSlow(seconds)))
    }

    async fn follow(&self, address: &str) -> Result<Vec<u8>, FetchFailure> {
        let mut url = self.checked(Url::parse(address.trim()).map_err(|_| FetchFailure::NotWeb)?)?;
        for _ in 0..=MAX_REDIRECTS {
            let response = self.client.get(url.clone()).send().await.map_err(|e| {
                if is_not_public(&e) {
                    FetchFailure::NotPublic
                } else {
                    FetchFailure::Unreachable
                }
            })?;
            let status = response.status();
            if status.is_redirection() {
                let to = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                    .ok_or(FetchFailure::Status(status.as_u16()))?;
                url = self.checked(to)?;
                continue;
            }
            if !status.is_success() {
                return Err(FetchFailure::Status(status.as_u16()));
            }
            return read_limited(response).await;
        }
        Err(FetchFailure::TooManyRedirects)
    }

    /// An address the client may ask for: http(s), and a literal IP address (which skips the resolver) public.
    fn checked(&self, url: Url) -> Result<Url, FetchFailure> {
        if !matches!(url.scheme(), "http" | "https") || !url.username().is_empty() || url.password().is_some() {
            return Err(FetchFailure::NotWeb);
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => None,
            None => return Err(FetchFailure::NotWeb),
        };
        if ip.is_some_and(|ip| !allowed(ip, self.allow_loopback)) {
            return Err(FetchFailure::NotPublic);
        }
        Ok(url)
    }
}

/// Whether a request failed because the resolver refused the name's addresses.
fn is_not_public(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<NotPublicError>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// The body, refused once it passes the upload limit (a declared length above it is refused before reading).
async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, FetchFailure> {
    if response.content_length().is_some_and(|n| n > MAX_BYTES as u64) {
        return Err(FetchFailure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|_| FetchFailure::Unreachable)? {
        if body.len() + chunk.len() > MAX_BYTES {
            return Err(FetchFailure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_allowed() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ] {
            assert!(
                !allowed(private.parse().expect("an address"), false),
                "{private} must be refused"
            );
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(
                allowed(public.parse().expect("an address"), false),
                "{public} is public"
            );
        }
        assert!(allowed("127.0.0.1".parse().expect("an address"), true));
        assert!(allowed("::1".parse().expect("an address"), true));
        assert!(
            !allowed("10.0.0.1".parse().expect("an address"), true),
            "loopback only, never private"
        );
    }

    #[tokio::test]
    async fn addresses_that_are_not_web_or_not_public_are_refused_before_any_connection() {
        let fetcher = Fetcher::new(false, Duration::from_secs(5));
        for (address, failure) in [
            ("file:///etc/passwd", FetchFailure::NotWeb),
            ("ftp://example.com/a.png", FetchFailure::NotWeb),
            ("not an address", FetchFailure::NotWeb),
            ("http://user:pw@example.com/a.png", FetchFailure::NotWeb),
            ("http://127.0.0.1/a.png", FetchFailure::NotPublic),
            ("http://[::1]/a.png", FetchFailure::NotPublic),
            ("http://169.254.169.254/latest/meta-data", FetchFailure::NotPublic),
            ("http://0x7f000001/a.png", FetchFailure::NotPublic),
            ("http://localhost/a.png", FetchFailure::NotPublic),
        ] {
            assert_eq!(fetcher.fetch(address).await, Err(failure), "{address}");
        }
    }
}
