import BurrowAPI
import Testing

@Suite struct EngineAPITests {
    @Test func pathsAreVersioned() {
        #expect(EngineAPI.pathPrefix == "/api/v1")
    }
}
