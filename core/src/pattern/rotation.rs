//! [`Rotation`]: the pipes of a socket taken in turn, shared by round-robin sending and
//! fair-queued receiving.

use super::PipeId;

/// A list of pipes and whose turn is next.
#[derive(Debug, Default)]
pub(crate) struct Rotation {
    pipes: Vec<PipeId>,
    next: usize,
}

impl Rotation {
    /// Adds a pipe at the end of the turn order.
    pub fn attach(&mut self, id: PipeId) {
        self.pipes.push(id);
    }

    /// Removes a pipe, keeping the turn with the pipe that had it.
    pub fn detach(&mut self, id: PipeId) {
        if let Some(pos) = self.pipes.iter().position(|&p| p == id) {
            self.pipes.remove(pos);
            if self.next > pos {
                self.next -= 1;
            }
            if self.next >= self.pipes.len() {
                self.next = 0;
            }
        }
    }

    /// The pipes, in no particular order.
    pub fn ids(&self) -> &[PipeId] {
        &self.pipes
    }

    /// Offers each pipe its turn, starting with the next one, until `try_pipe` succeeds;
    /// the turn then passes to the pipe after it. `None` when no pipe succeeded.
    pub fn serve<T>(&mut self, mut try_pipe: impl FnMut(PipeId) -> Option<T>) -> Option<T> {
        // Wrapping by comparison, not `%`: this runs for every message sent or received,
        // and a division costs more than the rest of the turn.
        let n = self.pipes.len();
        let mut idx = self.next;
        for _ in 0..n {
            if idx >= n {
                idx = 0;
            }
            if let Some(done) = try_pipe(self.pipes[idx]) {
                self.next = idx + 1;
                return Some(done);
            }
            idx += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_rotate_skip_failures_and_survive_detach() {
        let mut r = Rotation::default();
        for id in [10, 20, 30] {
            r.attach(id);
        }
        assert_eq!(r.serve(Some), Some(10));
        assert_eq!(r.serve(|id| (id != 20).then_some(id)), Some(30));
        assert_eq!(r.serve(Some), Some(10));
        r.detach(10);
        assert_eq!(r.serve(Some), Some(20));
        assert_eq!(r.serve(|_| None::<PipeId>), None);
        r.detach(20);
        r.detach(30);
        assert_eq!(r.serve(Some), None);
    }
}
