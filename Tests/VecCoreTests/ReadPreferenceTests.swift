import Foundation
import Testing

@testable import VecCore

/// `--read-from` as libpq reads it, and pg_basebackup's progress as `db standby start` shows it (pure; the standby
/// itself is exercised end to end in StandbyTests).
@Suite struct ReadPreferenceTests {
    @Test func eachPreferenceMapsToTargetSessionAttrs() {
        let url = ConnectionString.multiHost([5433, 5432])
        #expect(url == "postgresql://postgres@127.0.0.1:5433,127.0.0.1:5432/vecscope")
        #expect(
            ConnectionString.withTargetSessionAttrs(url, ReadPreference.any.targetSessionAttrs)
                == url + "?target_session_attrs=prefer-standby")
        #expect(ReadPreference.standby.targetSessionAttrs == "standby")
        #expect(ReadPreference.primary.targetSessionAttrs == "primary")
        // A URL with a query, and a conninfo string: appended, since libpq keeps the last value of a key.
        #expect(
            ConnectionString.withTargetSessionAttrs("postgresql://h1,h2/db?sslmode=disable", "standby")
                == "postgresql://h1,h2/db?sslmode=disable&target_session_attrs=standby")
        #expect(
            ConnectionString.withTargetSessionAttrs("host=h1,h2 target_session_attrs=any", "standby")
                == "host=h1,h2 target_session_attrs=any target_session_attrs=standby")
    }

    @Test func baseBackupOutputBecomesStepsAndCountsAcrossPartialReads() {
        var parser = BaseBackupOutput()
        #expect(parser.feed("pg_basebackup: checkpoint comp").isEmpty)
        #expect(
            parser.feed("leted\n1024/40960 kB (2%), 0/1 tablespace\r20480/40") == [
                .step("checkpoint completed"), .copied(kilobytes: 1024, of: 40960),
            ])
        #expect(parser.feed("960 kB (50%), 0/1 tablespace\n") == [.copied(kilobytes: 20480, of: 40960)])
        #expect(parser.feed("some other line\n").isEmpty)
    }
}
