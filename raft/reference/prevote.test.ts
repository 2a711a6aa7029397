// A reference test: our raft.ts implements PreVote (Raft thesis §9.6), which the course
// does not ask of students, so this runs only where the reference solution is present.
import { sleep } from "../../runtime/index.js";
import { graded } from "../../labs-test/harness/graded.js";
import { RaftElectionTimeout, withConfig } from "../config.js";

// PreVote (Raft thesis §9.6): a follower cut off alone keeps timing out, but without a
// majority's pre-votes it never bumps its term, so when it rejoins the leader keeps its
// leadership and its term.
graded("TestPreVote2A", () =>
  withConfig(3, false, false, async (cfg) => {
    const servers = 3;
    cfg.begin("Test (PreVote): isolated follower rejoins without disrupting the leader");

    await cfg.one(101, servers, false);
    const leader1 = await cfg.checkOneLeader();
    const term1 = cfg.checkTerms();

    const follower = (leader1 + 1) % servers;
    const followerTerm0 = cfg.rafts[follower]!.getState().term;
    cfg.disconnect(follower);

    // the majority moves on, so the follower's log falls behind
    await cfg.one(102, servers - 1, false);

    // several election timeouts alone
    await sleep(6 * RaftElectionTimeout);
    const alone = cfg.rafts[follower]!.getState();
    if (alone.isLeader) cfg.fatal(`isolated follower ${follower} claims to be leader`);
    if (alone.term !== followerTerm0) {
      cfg.fatal(
        `isolated follower ${follower}'s term grew from ${followerTerm0} to ${alone.term} ` +
          `while it had no majority (no PreVote?)`,
      );
    }

    cfg.connect(follower);
    await sleep(2 * RaftElectionTimeout);
    await cfg.one(103, servers, true);

    const leader2 = await cfg.checkOneLeader();
    if (leader2 !== leader1) {
      cfg.fatal(`leader changed from ${leader1} to ${leader2} when an isolated follower rejoined`);
    }
    const term2 = cfg.checkTerms();
    if (term2 !== term1) {
      cfg.fatal(`term changed from ${term1} to ${term2} when an isolated follower rejoined`);
    }

    cfg.end();
  }),
);

