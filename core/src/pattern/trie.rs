//! Subscription sets for PUB/SUB: libzmq's `trie_t` ([`TopicCounts`], the SUB side) and
//! `mtrie_t` ([`Subscriptions`], the PUB side).
//!
//! Both are one generic radix tree (compressed edges) kept in an arena `Vec` with a free
//! list, so that:
//! - nothing recurses: walks use loops or explicit stacks, and dropping the tree drops a
//!   flat `Vec` (libzmq CVE-2021-20236 was a stack overflow on deep tries);
//! - a topic costs one or two nodes however long it is, never a node per byte;
//! - a match walks only the nodes on the message's path;
//! - removing a topic frees its leaf and merges the edge above it, so subscribe/cancel
//!   churn cannot grow the tree.
//!
//! Each node stores the *full* key from the root to the end of its edge, the edge label
//! being the tail `key[start..]`. That costs at most about twice the total length of the
//! distinct topics, and buys: splitting an edge copies only bytes of the key being added,
//! merging an edge into its child is O(1) (the child's key already holds the parent's
//! label), and a node's topic is at hand without rebuilding it. A hostile peer therefore
//! cannot make a small SUBSCRIBE/CANCEL pair copy a huge stored topic.

use super::PipeId;

/// `parent` of the root.
const NO_PARENT: usize = usize::MAX;
/// `parent` of a slot on the free list.
const FREE: usize = usize::MAX - 1;
/// Index of the root, which holds the empty topic and is never freed.
const ROOT: usize = 0;

/// What a node holds for its topic; the default (vacant) value means "no topic here".
trait Value: Default {
    /// Whether this is the vacant value, i.e. the node is only a branch point.
    fn is_vacant(&self) -> bool;
}

/// Subscription count, for [`TopicCounts`].
impl Value for usize {
    fn is_vacant(&self) -> bool {
        *self == 0
    }
}

/// Subscribed pipes, each once, for [`Subscriptions`].
impl Value for Vec<PipeId> {
    fn is_vacant(&self) -> bool {
        self.is_empty()
    }
}

/// One node of the arena.
#[derive(Debug)]
struct Node<V> {
    /// The whole key from the root to the end of this node's edge.
    key: Box<[u8]>,
    /// Where this node's edge label starts in `key` (the parent's key length).
    start: usize,
    /// Parent index; [`NO_PARENT`] for the root, [`FREE`] for a free slot.
    parent: usize,
    /// Children keyed by the first byte of their label, sorted by that byte.
    children: Vec<(u8, usize)>,
    /// The topic's value; vacant when the node is only a branch point.
    value: V,
}

impl<V: Value> Node<V> {
    /// A node with no children and no value.
    fn new(key: Box<[u8]>, start: usize, parent: usize) -> Self {
        Node {
            key,
            start,
            parent,
            children: Vec::new(),
            value: V::default(),
        }
    }

    /// The label of the edge from the parent to this node.
    fn label(&self) -> &[u8] {
        &self.key[self.start..]
    }
}

/// Length of the longest common prefix of `a` and `b`, comparing in blocks so that a
/// multi-megabyte label is compared at memcmp speed even in debug builds.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// Radix tree from byte strings to `V`, stored in an arena.
///
/// Invariant (outside of a `remove_pipe` pass): every node other than the root has a
/// non-vacant value or at least two children, so there are fewer than two nodes per
/// topic.
#[derive(Debug)]
struct RadixTree<V> {
    /// The arena; index [`ROOT`] is the root.
    nodes: Vec<Node<V>>,
    /// Free slots of `nodes`, reused before the arena grows.
    free: Vec<usize>,
}

impl<V: Value> Default for RadixTree<V> {
    fn default() -> Self {
        RadixTree {
            nodes: vec![Node::new(Box::default(), 0, NO_PARENT)],
            free: Vec::new(),
        }
    }
}

impl<V: Value> RadixTree<V> {
    /// The child of `n` whose label starts with `byte`.
    fn child(&self, n: usize, byte: u8) -> Option<usize> {
        self.child_of(&self.nodes[n], byte)
    }

    /// The index of the entry for exactly `key`, if a node ends there.
    fn find(&self, key: &[u8]) -> Option<usize> {
        let mut n = ROOT;
        loop {
            let depth = self.nodes[n].key.len();
            let Some(&byte) = key.get(depth) else {
                return Some(n);
            };
            let c = self.child(n, byte)?;
            if !self.edge_matches(c, key) {
                return None;
            }
            n = c;
        }
    }

    /// The index of the entry for `key`, creating it (splitting an edge if needed).
    ///
    /// The caller must make the new entry's value non-vacant, or `prune` it.
    fn entry(&mut self, key: &[u8]) -> usize {
        let mut n = ROOT;
        loop {
            let depth = self.nodes[n].key.len();
            let Some(&byte) = key.get(depth) else {
                return n;
            };
            let Some(c) = self.child(n, byte) else {
                let leaf = self.alloc(Node::new(key.into(), depth, n));
                self.attach(n, byte, leaf);
                return leaf;
            };
            let label = self.nodes[c].label();
            // The first byte matched through the children table.
            let common = 1 + common_prefix(&label[1..], &key[depth + 1..]);
            if common == label.len() {
                n = c;
                continue;
            }
            // `key` leaves (or ends inside) c's edge: put a branch node `m` where it
            // does. Only bytes of `key` are copied, never the rest of c's label.
            let end = depth + common;
            let c_byte = label[common];
            let m = self.alloc(Node::new(key[..end].into(), depth, n));
            self.nodes[m].children.push((c_byte, c));
            self.nodes[c].start = end;
            self.nodes[c].parent = m;
            self.replace_child(n, byte, m);
            if end == key.len() {
                return m;
            }
            let leaf = self.alloc(Node::new(key.into(), end, m));
            self.attach(m, key[end], leaf);
            return leaf;
        }
    }

    /// Restores the invariant after the value of `n` became vacant: frees `n` if it is a
    /// leaf (then looks at its parent), or merges it into its only child. Does nothing
    /// for a freed slot, so a `remove_pipe` pass may prune nodes in any order.
    fn prune(&mut self, mut n: usize) {
        while n != ROOT
            && n < self.nodes.len()
            && self.nodes[n].parent != FREE
            && self.nodes[n].value.is_vacant()
        {
            let node = &self.nodes[n];
            let (parent, start, byte) = (node.parent, node.start, node.key[node.start]);
            match node.children.len() {
                0 => {
                    self.detach(parent, byte);
                    self.release(n);
                    n = parent;
                }
                1 => {
                    // The child's key already holds our label: widening its edge is O(1).
                    let c = node.children[0].1;
                    self.nodes[c].start = start;
                    self.nodes[c].parent = parent;
                    self.replace_child(parent, byte, c);
                    self.release(n);
                    break;
                }
                _ => break,
            }
        }
        if self.nodes[ROOT].children.is_empty() && self.nodes.len() > 1 {
            // Empty again: give back the arena left by a past peak.
            self.nodes.truncate(1);
            self.nodes.shrink_to(16);
            self.free = Vec::new();
        }
    }

    /// Puts `node` in a free slot or at the end of the arena.
    fn alloc(&mut self, node: Node<V>) -> usize {
        match self.free.pop() {
            Some(i) => {
                self.nodes[i] = node;
                i
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() - 1
            }
        }
    }

    /// Frees slot `n`, dropping its key and children list now.
    fn release(&mut self, n: usize) {
        self.nodes[n] = Node::new(Box::default(), 0, FREE);
        self.free.push(n);
    }

    /// Adds `child` to `n` under `byte` (not present yet).
    fn attach(&mut self, n: usize, byte: u8, child: usize) {
        let children = &mut self.nodes[n].children;
        let i = children
            .binary_search_by_key(&byte, |&(b, _)| b)
            .unwrap_err();
        children.insert(i, (byte, child));
    }

    /// Removes the child of `n` under `byte`.
    fn detach(&mut self, n: usize, byte: u8) {
        let children = &mut self.nodes[n].children;
        if let Ok(i) = children.binary_search_by_key(&byte, |&(b, _)| b) {
            children.remove(i);
        }
    }

    /// Points the child slot of `n` under `byte` at `child`.
    fn replace_child(&mut self, n: usize, byte: u8, child: usize) {
        let children = &mut self.nodes[n].children;
        if let Ok(i) = children.binary_search_by_key(&byte, |&(b, _)| b) {
            children[i].1 = child;
        }
    }

    /// The non-vacant values of the entries whose key is a prefix of `data`, shortest
    /// first.
    fn prefixes<'a>(&'a self, data: &'a [u8]) -> Prefixes<'a, V> {
        Prefixes {
            tree: self,
            data,
            next: Some(ROOT),
        }
    }

    /// Calls `f(key, value)` for each non-vacant entry, in key order (explicit stack).
    fn for_each(&self, mut f: impl FnMut(&[u8], &V)) {
        let mut stack = vec![ROOT];
        while let Some(n) = stack.pop() {
            let node = &self.nodes[n];
            if !node.value.is_vacant() {
                f(&node.key, &node.value);
            }
            stack.extend(node.children.iter().rev().map(|&(_, c)| c));
        }
    }

    /// Calls `f(index, key, value)` for every live node, vacant or not (explicit stack).
    /// `f` may change values; the caller must `prune` those it makes vacant.
    fn for_each_mut(&mut self, mut f: impl FnMut(usize, &[u8], &mut V)) {
        let mut stack = vec![ROOT];
        while let Some(n) = stack.pop() {
            let node = &mut self.nodes[n];
            stack.extend(node.children.iter().map(|&(_, c)| c));
            f(n, &node.key, &mut node.value);
        }
    }

    /// Live nodes, root included.
    #[cfg(test)]
    fn node_count(&self) -> usize {
        self.nodes.len() - self.free.len()
    }

    /// Checks the structural invariants; for tests.
    #[cfg(test)]
    fn check(&self) {
        let mut live = 0;
        let mut stack = vec![ROOT];
        while let Some(n) = stack.pop() {
            live += 1;
            let node = &self.nodes[n];
            if n != ROOT {
                assert!(node.parent != FREE && node.parent != NO_PARENT);
                assert_eq!(node.start, self.nodes[node.parent].key.len());
                assert!(node.start < node.key.len(), "empty edge label");
                assert!(
                    !node.value.is_vacant() || node.children.len() >= 2,
                    "vacant node with < 2 children"
                );
            }
            assert!(node.children.windows(2).all(|w| w[0].0 < w[1].0));
            for &(b, c) in &node.children {
                assert_eq!(self.nodes[c].parent, n);
                assert_eq!(self.nodes[c].label()[0], b);
                stack.push(c);
            }
        }
        assert_eq!(live, self.node_count(), "unreachable live nodes");
    }
}

/// Iterator behind [`RadixTree::prefixes`]: walks down `data`, one node per step.
struct Prefixes<'a, V> {
    /// The tree walked.
    tree: &'a RadixTree<V>,
    /// The message being matched.
    data: &'a [u8],
    /// The next node on the path; its key is a prefix of `data`.
    next: Option<usize>,
}

impl<'a, V: Value> Iterator for Prefixes<'a, V> {
    type Item = &'a V;

    fn next(&mut self) -> Option<&'a V> {
        loop {
            let node = &self.tree.nodes[self.next?];
            let depth = node.key.len();
            self.next = self.data.get(depth).and_then(|&byte| {
                let c = self.tree.child_of(node, byte)?;
                self.tree.edge_matches(c, self.data).then_some(c)
            });
            if !node.value.is_vacant() {
                return Some(&node.value);
            }
        }
    }
}

impl<V> RadixTree<V> {
    /// Whether the whole edge label of `c` continues `data` (whose byte at `c`'s label
    /// start already selected `c`). One-byte labels, the common case in deep trees, need
    /// no access to the key bytes.
    fn edge_matches(&self, c: usize, data: &[u8]) -> bool {
        let node = &self.nodes[c];
        let end = node.key.len();
        end == node.start + 1
            || (data.len() >= end && data[node.start + 1..end] == node.key[node.start + 1..])
    }

    /// The child of `node` whose label starts with `byte` (borrow-friendly form of
    /// [`RadixTree::child`]).
    fn child_of(&self, node: &Node<V>, byte: u8) -> Option<usize> {
        node.children
            .binary_search_by_key(&byte, |&(b, _)| b)
            .ok()
            .map(|i| node.children[i].1)
    }
}

/// Counted set of topic prefixes: the SUB side. Subscribing twice needs two unsubscribes.
#[derive(Debug, Default)]
pub(crate) struct TopicCounts {
    /// Topic → number of subscriptions (0 only on branch nodes).
    tree: RadixTree<usize>,
    /// Number of distinct topics.
    len: usize,
}

impl TopicCounts {
    /// Adds one subscription to `topic`; true if it is the first for that topic (libzmq then sends SUBSCRIBE upstream).
    pub fn add(&mut self, topic: &[u8]) -> bool {
        let n = self.tree.entry(topic);
        let count = &mut self.tree.nodes[n].value;
        *count += 1;
        let first = *count == 1;
        self.len += usize::from(first);
        first
    }

    /// Removes one subscription; true if it was the last one (libzmq then sends CANCEL). false if the topic was not subscribed (nothing changes).
    pub fn remove(&mut self, topic: &[u8]) -> bool {
        let Some(n) = self.tree.find(topic) else {
            return false;
        };
        let count = &mut self.tree.nodes[n].value;
        if *count == 0 {
            return false;
        }
        *count -= 1;
        if *count > 0 {
            return false;
        }
        self.len -= 1;
        self.tree.prune(n);
        true
    }

    /// Whether some subscribed topic is a prefix of `data` (the empty topic matches everything).
    pub fn matches(&self, data: &[u8]) -> bool {
        self.tree.prefixes(data).next().is_some()
    }

    /// Calls `f` once for each distinct subscribed topic (for re-sending subscriptions after a reconnect), in byte order.
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        self.tree.for_each(|key, _| f(key));
    }

    /// Number of distinct topics.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no topic is subscribed.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Live tree nodes, root included (1 when empty).
    #[cfg(test)]
    fn node_count(&self) -> usize {
        self.tree.node_count()
    }
}

/// What an add/remove changed, for XPUB's duplicate suppression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Change {
    /// The pipe's subscription set changed (added: it was not subscribed; removed: it was).
    pub pipe_changed: bool,
    /// The topic went from no subscriber to one (add) or from some to none (remove).
    pub topic_changed: bool,
}

impl Change {
    /// Nothing changed.
    const NONE: Change = Change {
        pipe_changed: false,
        topic_changed: false,
    };
}

/// Topic → set of subscribed pipes: the PUB side. A pipe subscribes to a topic at most once (adding again is a no-op), as in libzmq's mtrie.
#[derive(Debug, Default)]
pub(crate) struct Subscriptions {
    /// Topic → its pipes, each once (empty only on branch nodes).
    tree: RadixTree<Vec<PipeId>>,
    /// Number of distinct topics with at least one subscriber.
    len: usize,
}

impl Subscriptions {
    /// Subscribes `pipe` to `topic`.
    pub fn add(&mut self, topic: &[u8], pipe: PipeId) -> Change {
        let n = self.tree.entry(topic);
        let pipes = &mut self.tree.nodes[n].value;
        // Linear search: topics usually have few subscribers; O(n) stays acceptable.
        if pipes.contains(&pipe) {
            return Change::NONE;
        }
        let first = pipes.is_empty();
        pipes.push(pipe);
        self.len += usize::from(first);
        Change {
            pipe_changed: true,
            topic_changed: first,
        }
    }

    /// Unsubscribes `pipe` from `topic`.
    pub fn remove(&mut self, topic: &[u8], pipe: PipeId) -> Change {
        let Some(n) = self.tree.find(topic) else {
            return Change::NONE;
        };
        let pipes = &mut self.tree.nodes[n].value;
        let Some(i) = pipes.iter().position(|&p| p == pipe) else {
            return Change::NONE;
        };
        pipes.swap_remove(i);
        let last = pipes.is_empty();
        if last {
            self.len -= 1;
            self.tree.prune(n);
        }
        Change {
            pipe_changed: true,
            topic_changed: last,
        }
    }

    /// Removes `pipe` from every topic (it disconnected); calls `gone(topic)` for each topic that no pipe subscribes to any more (XPUB passes those up as unsubscriptions).
    /// With `every_topic`, `gone` is called for every topic the pipe held instead (what
    /// libzmq's XPUB_VERBOSER and XPUB_MANUAL report).
    pub fn remove_pipe(&mut self, pipe: PipeId, every_topic: bool, mut gone: impl FnMut(&[u8])) {
        // Like libzmq, this visits the whole tree: O(nodes + subscriptions).
        let mut emptied = Vec::new();
        self.tree.for_each_mut(|n, key, pipes| {
            if let Some(i) = pipes.iter().position(|&p| p == pipe) {
                pipes.swap_remove(i);
                if pipes.is_empty() {
                    emptied.push(n);
                }
                if every_topic || pipes.is_empty() {
                    gone(key);
                }
            }
        });
        self.len -= emptied.len();
        // Pruning after the walk keeps the walk's indices valid; `prune` skips nodes
        // an earlier prune already freed.
        for n in emptied {
            self.tree.prune(n);
        }
    }

    /// Appends to `out` every pipe subscribed to some prefix of `data`, each pipe ONCE even if it subscribed to several matching prefixes (e.g. "A" and "AB" both match "ABC"). `out` is cleared first. Order unspecified.
    pub fn matching(&self, data: &[u8], out: &mut Vec<PipeId>) {
        out.clear();
        let mut topics = 0;
        for pipes in self.tree.prefixes(data) {
            out.extend_from_slice(pipes);
            topics += 1;
        }
        // A topic holds each pipe once, so one matching topic (everybody subscribed to
        // everything, the common case) needs no deduplication; several take
        // O(m log m) in the number of matches m.
        if topics > 1 {
            out.sort_unstable();
            out.dedup();
        }
    }

    /// Number of distinct topics with at least one subscriber.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no topic has a subscriber.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Live tree nodes, root included (1 when empty).
    #[cfg(test)]
    fn node_count(&self) -> usize {
        self.tree.node_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{HashMap, HashSet};
    use std::time::Instant;

    fn topics(t: &TopicCounts) -> Vec<Vec<u8>> {
        let mut v = Vec::new();
        t.for_each(|k| v.push(k.to_vec()));
        v
    }

    fn matching(s: &Subscriptions, data: &[u8]) -> Vec<PipeId> {
        let mut out = vec![999]; // must be cleared
        s.matching(data, &mut out);
        out.sort_unstable();
        out
    }

    fn gone(s: &mut Subscriptions, pipe: PipeId) -> Vec<Vec<u8>> {
        let mut v = Vec::new();
        s.remove_pipe(pipe, false, |k| v.push(k.to_vec()));
        v.sort();
        v
    }

    fn change(pipe_changed: bool, topic_changed: bool) -> Change {
        Change {
            pipe_changed,
            topic_changed,
        }
    }

    /// Deterministic generator for the scale tests (no `rand` dependency).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            // splitmix64
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn bytes(&mut self, len: usize, alphabet: &[u8]) -> Vec<u8> {
            (0..len)
                .map(|_| alphabet[self.below(alphabet.len())])
                .collect()
        }
    }

    #[test]
    fn empty_structures() {
        let t = TopicCounts::default();
        assert!(t.is_empty());
        assert_eq!(t.len(), 0);
        assert!(!t.matches(b""));
        assert!(!t.matches(b"abc"));
        assert!(topics(&t).is_empty());
        assert_eq!(t.node_count(), 1);

        let mut s = Subscriptions::default();
        assert!(s.is_empty());
        assert_eq!(matching(&s, b"abc"), Vec::<PipeId>::new());
        assert_eq!(gone(&mut s, 1), Vec::<Vec<u8>>::new());
        assert_eq!(s.remove(b"abc", 1), Change::NONE);
        assert_eq!(s.node_count(), 1);
    }

    #[test]
    fn counts_add_twice_remove_twice() {
        let mut t = TopicCounts::default();
        assert!(t.add(b"news"));
        assert!(!t.add(b"news"));
        assert_eq!(t.len(), 1);
        assert!(!t.remove(b"news"));
        assert!(t.matches(b"news!"));
        assert!(t.remove(b"news"));
        assert!(!t.matches(b"news!"));
        assert!(!t.remove(b"news"), "not subscribed any more");
        assert!(t.is_empty());
        assert_eq!(t.node_count(), 1);
    }

    #[test]
    fn empty_topic_matches_everything() {
        let mut t = TopicCounts::default();
        assert!(t.add(b""));
        assert!(!t.add(b""));
        assert!(t.matches(b""));
        assert!(t.matches(b"anything"));
        assert_eq!(topics(&t), vec![b"".to_vec()]);
        assert_eq!(t.len(), 1);
        assert!(!t.remove(b""));
        assert!(t.remove(b""));
        assert!(!t.matches(b""));
        assert!(!t.remove(b""));
        assert!(t.is_empty());
    }

    #[test]
    fn prefix_relationships() {
        let mut t = TopicCounts::default();
        for k in ["", "A", "AB", "ABC", "B"] {
            assert!(t.add(k.as_bytes()));
        }
        t.tree.check();
        assert_eq!(t.len(), 5);
        let want: Vec<Vec<u8>> = ["", "A", "AB", "ABC", "B"]
            .iter()
            .map(|k| k.as_bytes().to_vec())
            .collect();
        assert_eq!(topics(&t), want);
        assert!(t.remove(b""));
        assert!(!t.matches(b"C"));
        assert!(!t.matches(b""));
        assert!(t.matches(b"A"));
        assert!(t.matches(b"ABD"));
        assert!(t.matches(b"Bx"));
        assert!(t.remove(b"A"));
        assert!(!t.matches(b"A"));
        assert!(t.matches(b"AB"));
        assert!(t.remove(b"AB"));
        assert!(!t.matches(b"ABD"));
        assert!(t.matches(b"ABCD"));
        t.tree.check();
        assert_eq!(topics(&t), vec![b"ABC".to_vec(), b"B".to_vec()]);
        assert_eq!(t.node_count(), 3);
    }

    #[test]
    fn edges_split_and_merge() {
        let mut t = TopicCounts::default();
        t.add(b"ABCD");
        assert_eq!(t.node_count(), 2, "one node for the whole topic");
        t.add(b"ABXY");
        t.tree.check();
        assert_eq!(t.node_count(), 4, "root, AB, CD, XY");
        t.add(b"AB");
        assert_eq!(t.node_count(), 4, "AB is the split node");
        t.add(b"A");
        assert_eq!(t.node_count(), 5, "split AB into A + B");
        t.tree.check();
        assert!(t.remove(b"ABXY"));
        assert_eq!(t.node_count(), 4, "AB keeps its value: no merge");
        assert!(t.remove(b"AB"));
        assert_eq!(t.node_count(), 3, "B merged into CD");
        assert!(t.remove(b"A"));
        assert_eq!(t.node_count(), 2, "A merged into BCD");
        t.tree.check();
        assert!(t.matches(b"ABCDE"));
        assert!(!t.matches(b"ABC"));
        assert!(!t.matches(b"AB"));
        assert_eq!(topics(&t), vec![b"ABCD".to_vec()]);
        assert!(t.remove(b"ABCD"));
        assert_eq!(t.node_count(), 1);
        assert!(t.tree.nodes.len() == 1 && t.tree.free.is_empty());
    }

    #[test]
    fn removing_unknown_topics_changes_nothing() {
        let mut t = TopicCounts::default();
        t.add(b"ABCD");
        t.add(b"ABXY");
        let nodes = t.node_count();
        for k in [&b""[..], b"A", b"AB", b"ABC", b"ABCDE", b"ABX", b"Z"] {
            assert!(!t.remove(k), "{k:?}");
        }
        assert_eq!(t.node_count(), nodes);
        assert_eq!(t.len(), 2);
        t.tree.check();
        assert_eq!(topics(&t), vec![b"ABCD".to_vec(), b"ABXY".to_vec()]);

        let mut s = Subscriptions::default();
        s.add(b"ABCD", 1);
        s.add(b"ABXY", 1);
        for k in [&b""[..], b"AB", b"ABC", b"ABCDE"] {
            assert_eq!(s.remove(k, 1), Change::NONE);
        }
        assert_eq!(s.remove(b"ABCD", 2), Change::NONE, "other pipe");
        assert_eq!(s.node_count(), nodes);
        assert_eq!(s.len(), 2);
        s.tree.check();
    }

    #[test]
    fn subscriptions_changes() {
        let mut s = Subscriptions::default();
        assert_eq!(s.add(b"A", 1), change(true, true));
        assert_eq!(s.add(b"A", 1), change(false, false), "no-op");
        assert_eq!(s.add(b"A", 2), change(true, false));
        assert_eq!(s.add(b"", 3), change(true, true));
        assert_eq!(s.len(), 2);
        assert_eq!(s.remove(b"A", 1), change(true, false));
        assert_eq!(s.remove(b"A", 1), Change::NONE, "once is enough");
        assert_eq!(s.remove(b"A", 2), change(true, true));
        assert_eq!(s.remove(b"A", 2), Change::NONE);
        assert_eq!(s.remove(b"", 3), change(true, true));
        assert!(s.is_empty());
        assert_eq!(s.node_count(), 1);
    }

    #[test]
    fn matching_reports_each_pipe_once() {
        let mut s = Subscriptions::default();
        s.add(b"A", 1);
        s.add(b"AB", 1);
        s.add(b"ABC", 1);
        s.add(b"ABC", 2);
        s.add(b"B", 3);
        s.add(b"", 4);
        s.add(b"ABCDE", 5);
        assert_eq!(matching(&s, b"ABCD"), vec![1, 2, 4]);
        assert_eq!(matching(&s, b"ABCDE"), vec![1, 2, 4, 5]);
        assert_eq!(matching(&s, b"B"), vec![3, 4]);
        assert_eq!(matching(&s, b""), vec![4]);
        s.remove(b"", 4);
        assert_eq!(matching(&s, b"C"), Vec::<PipeId>::new());
        assert_eq!(matching(&s, b"AB"), vec![1]);
    }

    #[test]
    fn remove_pipe_reports_exactly_emptied_topics() {
        let mut s = Subscriptions::default();
        s.add(b"A", 1);
        s.add(b"AB", 1);
        s.add(b"AB", 2);
        s.add(b"C", 1);
        s.add(b"", 1);
        s.add(b"D", 2);
        assert_eq!(gone(&mut s, 99), Vec::<Vec<u8>>::new());
        assert_eq!(s.len(), 5);
        assert_eq!(
            gone(&mut s, 1),
            vec![b"".to_vec(), b"A".to_vec(), b"C".to_vec()]
        );
        s.tree.check();
        assert_eq!(s.len(), 2);
        assert_eq!(matching(&s, b"ABC"), vec![2]);
        assert_eq!(matching(&s, b"C"), Vec::<PipeId>::new());
        assert_eq!(gone(&mut s, 1), Vec::<Vec<u8>>::new());
        assert_eq!(gone(&mut s, 2), vec![b"AB".to_vec(), b"D".to_vec()]);
        assert!(s.is_empty());
        assert_eq!(s.node_count(), 1);
    }

    #[test]
    fn remove_pipe_prunes_nested_emptied_nodes() {
        // Emptied nodes are ancestors of each other and of surviving topics, so pruning
        // one may free or merge another first.
        let mut s = Subscriptions::default();
        for k in ["x", "xa", "xab", "xabc", "xb", "xbc", "y"] {
            s.add(k.as_bytes(), 1);
        }
        s.add(b"xabcd", 2);
        s.add(b"xbcd", 2);
        let g = gone(&mut s, 1);
        assert_eq!(g.len(), 7);
        s.tree.check();
        assert_eq!(s.len(), 2);
        assert_eq!(s.node_count(), 4, "root, xabcd / xbcd under x");
        assert_eq!(matching(&s, b"xabcde"), vec![2]);
        assert_eq!(matching(&s, b"xabc"), Vec::<PipeId>::new());
    }

    #[test]
    fn many_subscribers_on_one_topic() {
        let mut s = Subscriptions::default();
        for p in 0..1000 {
            assert_eq!(s.add(b"hot", p), change(true, p == 0));
        }
        assert_eq!(matching(&s, b"hot!").len(), 1000);
        for p in 0..1000 {
            assert_eq!(s.remove(b"hot", p), change(true, p == 999));
        }
        assert!(s.is_empty());
        assert_eq!(s.node_count(), 1);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(Vec<u8>, PipeId),
        Remove(Vec<u8>, PipeId),
        RemovePipe(PipeId),
        Match(Vec<u8>),
    }

    fn key() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 0..6)
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (key(), 0..4usize).prop_map(|(k, p)| Op::Add(k, p)),
            3 => (key(), 0..4usize).prop_map(|(k, p)| Op::Remove(k, p)),
            1 => (0..4usize).prop_map(Op::RemovePipe),
            2 => proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 0..8)
                .prop_map(Op::Match),
        ]
    }

    proptest! {
        #[test]
        fn topic_counts_match_model(ops in proptest::collection::vec(op(), 0..80)) {
            let mut t = TopicCounts::default();
            let mut model: HashMap<Vec<u8>, usize> = HashMap::new();
            for op in ops {
                match op {
                    Op::Add(k, _) => {
                        let c = model.entry(k.clone()).or_default();
                        *c += 1;
                        prop_assert_eq!(t.add(&k), *c == 1);
                    }
                    Op::Remove(k, _) => {
                        let last = match model.get_mut(&k) {
                            Some(c) => {
                                *c -= 1;
                                *c == 0
                            }
                            None => false,
                        };
                        if last {
                            model.remove(&k);
                        }
                        prop_assert_eq!(t.remove(&k), last);
                    }
                    Op::RemovePipe(_) => {}
                    Op::Match(d) => {
                        let want = (0..=d.len()).any(|i| model.contains_key(&d[..i]));
                        prop_assert_eq!(t.matches(&d), want);
                    }
                }
                t.tree.check();
                prop_assert_eq!(t.len(), model.len());
                let mut want: Vec<Vec<u8>> = model.keys().cloned().collect();
                want.sort();
                prop_assert_eq!(topics(&t), want);
            }
        }

        #[test]
        fn subscriptions_match_model(ops in proptest::collection::vec(op(), 0..80)) {
            let mut s = Subscriptions::default();
            let mut model: HashMap<Vec<u8>, HashSet<PipeId>> = HashMap::new();
            for op in ops {
                match op {
                    Op::Add(k, p) => {
                        let set = model.entry(k.clone()).or_default();
                        let want = change(!set.contains(&p), set.is_empty());
                        set.insert(p);
                        prop_assert_eq!(s.add(&k, p), want);
                    }
                    Op::Remove(k, p) => {
                        let want = match model.get_mut(&k) {
                            Some(set) if set.contains(&p) => {
                                set.remove(&p);
                                change(true, set.is_empty())
                            }
                            _ => Change::NONE,
                        };
                        if want.topic_changed {
                            model.remove(&k);
                        }
                        prop_assert_eq!(s.remove(&k, p), want);
                    }
                    Op::RemovePipe(p) => {
                        let mut want = Vec::new();
                        model.retain(|k, set| {
                            if set.remove(&p) && set.is_empty() {
                                want.push(k.clone());
                                return false;
                            }
                            true
                        });
                        want.sort();
                        prop_assert_eq!(gone(&mut s, p), want);
                    }
                    Op::Match(d) => {
                        let mut want: Vec<PipeId> = (0..=d.len())
                            .filter_map(|i| model.get(&d[..i]))
                            .flatten()
                            .copied()
                            .collect();
                        want.sort_unstable();
                        want.dedup();
                        prop_assert_eq!(matching(&s, &d), want);
                    }
                }
                s.tree.check();
                prop_assert_eq!(s.len(), model.len());
                prop_assert_eq!(s.is_empty(), model.is_empty());
                if model.is_empty() {
                    prop_assert_eq!(s.node_count(), 1);
                }
            }
        }
    }

    #[test]
    fn scale_100k_topics() {
        let n = 100_000;
        let mut rng = Rng(42);
        let alphabet = b"abcd";
        let mut s = Subscriptions::default();
        let mut t = TopicCounts::default();
        let mut model: HashMap<Vec<u8>, HashSet<PipeId>> = HashMap::new();
        let mut pairs = Vec::with_capacity(n);
        let started = Instant::now();
        for _ in 0..n {
            let len = 8 + rng.below(13);
            let k = rng.bytes(len, alphabet);
            let p = rng.below(64);
            s.add(&k, p);
            t.add(&k);
            model.entry(k.clone()).or_default().insert(p);
            pairs.push((k, p));
        }
        assert_eq!(s.len(), model.len());
        assert_eq!(t.len(), model.len());
        assert!(s.node_count() <= 2 * model.len() + 1);
        s.tree.check();

        let mut out = Vec::new();
        let mut hits = 0;
        for i in 0..n {
            // Half the messages extend a subscribed topic, half are random.
            let data = if i % 2 == 0 {
                let mut d = pairs[rng.below(n)].0.clone();
                let extra = rng.below(5);
                d.extend(rng.bytes(extra, alphabet));
                d
            } else {
                let len = rng.below(25);
                rng.bytes(len, alphabet)
            };
            s.matching(&data, &mut out);
            out.sort_unstable();
            let mut want: Vec<PipeId> = (8.min(data.len())..=data.len().min(20))
                .filter_map(|j| model.get(&data[..j]))
                .flatten()
                .copied()
                .collect();
            want.sort_unstable();
            want.dedup();
            assert_eq!(out, want);
            assert_eq!(t.matches(&data), !want.is_empty());
            hits += usize::from(!want.is_empty());
        }
        assert!(hits >= n / 2, "the test must exercise matches");

        for (k, p) in &pairs {
            s.remove(k, *p);
            t.remove(k);
        }
        assert!(s.is_empty() && t.is_empty());
        assert_eq!(s.node_count(), 1);
        assert_eq!(t.node_count(), 1);
        assert!(s.tree.nodes.len() == 1 && t.tree.nodes.len() == 1);
        eprintln!("scale ({n} topics): {:?}", started.elapsed());
    }

    #[test]
    fn churn_does_not_grow_storage() {
        let mut rng = Rng(7);
        let mut s = Subscriptions::default();
        let base: Vec<Vec<u8>> = (0..1000).map(|_| rng.bytes(12, b"abc")).collect();
        for k in &base {
            s.add(k, 0);
        }
        let arena = s.tree.nodes.len();
        let live = s.node_count();
        for _ in 0..50_000 {
            let len = 1 + rng.below(14);
            let k = rng.bytes(len, b"abc");
            s.add(&k, 1);
            s.remove(&k, 1);
        }
        s.tree.check();
        assert_eq!(s.node_count(), live);
        assert!(s.tree.nodes.len() <= arena + 2, "free slots are reused");
    }

    #[test]
    fn huge_topics() {
        for size in [1 << 20, 16 << 20] {
            let started = Instant::now();
            let mut topic = vec![b'x'; size];
            *topic.last_mut().unwrap() = b'y';
            let mut other = topic.clone();
            *other.last_mut().unwrap() = b'z';

            let mut t = TopicCounts::default();
            assert!(t.add(&topic));
            assert_eq!(t.node_count(), 2, "one node, not one per byte");
            assert!(t.matches(&topic));
            assert!(!t.matches(&other));
            assert!(!t.matches(&topic[..size - 1]));
            assert!(t.remove(&topic));
            assert_eq!(t.node_count(), 1);

            let mut s = Subscriptions::default();
            s.add(&topic, 1);
            s.add(&topic[..10], 2);
            assert_eq!(matching(&s, &topic), vec![1, 2]);
            assert_eq!(matching(&s, &other), vec![2]);
            let mut g = Vec::new();
            s.remove_pipe(1, false, |k| g.push(k.len()));
            assert_eq!(g, vec![size]);
            assert_eq!(s.remove(&topic[..10], 2), change(true, true));
            assert_eq!(s.node_count(), 1);
            eprintln!("{size} byte topic: {:?}", started.elapsed());
        }
    }

    #[test]
    fn small_churn_next_to_a_huge_topic_is_cheap() {
        // A SUBSCRIBE/CANCEL pair that splits and re-merges a 16 MiB edge must not copy
        // it: 10,000 rounds would move 160 GiB if it did.
        let mut topic = vec![b'x'; 16 << 20];
        topic[0] = b'a';
        let mut t = TopicCounts::default();
        t.add(&topic);
        for i in 0..10_000u32 {
            let k = [b'a', b'x', (i % 200) as u8];
            t.add(&k);
            t.add(&k[..2]);
            t.remove(&k);
            t.remove(&k[..2]);
        }
        assert_eq!(t.node_count(), 2);
        assert!(t.matches(&topic));
    }

    #[test]
    fn deep_tree_drops_on_a_small_stack() {
        let worker = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let long: Vec<u8> = (0..10_000u32).map(|i| b'a' + (i % 26) as u8).collect();
                let mut t = TopicCounts::default();
                let mut s = Subscriptions::default();
                // Shortest first walks the whole chain on each add (O(n²) steps, the
                // worst case); longest first splits the top edge each time.
                for i in 1..=long.len() {
                    t.add(&long[..i]);
                }
                for i in (1..=long.len()).rev() {
                    s.add(&long[..i], i % 3);
                }
                assert_eq!(s.node_count(), 10_001);
                assert_eq!(t.node_count(), 10_001, "worst-case depth");
                assert!(t.matches(&long));
                let mut out = Vec::new();
                s.matching(&long, &mut out);
                assert_eq!(out.len(), 3);
                let mut n = 0;
                t.for_each(|_| n += 1);
                assert_eq!(n, 10_000);
                let mut gone = 0;
                s.remove_pipe(0, false, |_| gone += 1);
                assert_eq!(gone, 3333);
                s.tree.check();
                drop(t);
                drop(s);

                // Again, removing the shortest first so every removal merges edges.
                let mut t = TopicCounts::default();
                for i in (1..=long.len()).rev() {
                    t.add(&long[..i]);
                }
                for i in 1..=5000 {
                    assert!(t.remove(&long[..i]));
                }
                t.tree.check();
                drop(t);
            })
            .unwrap();
        worker.join().unwrap();
    }
}
