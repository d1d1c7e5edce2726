import BurrowConfig
import BurrowCore
import Foundation
import TerminalUI

/// The real effects: every change is saved through `ConfigStore` at once
/// (the engine watches mappings.json and applies the difference), the
/// clipboard gets OSC 52 plus a desktop tool, a browser opens via xdg-open.
public struct StoreEffects: EffectPerforming {
    public let store: ConfigStore
    public let environment: [String: String]

    public init(store: ConfigStore, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.store = store
        self.environment = environment
    }

    public func perform(_ effect: Effect, screen: Screen) -> [Action] {
        do {
            switch effect {
            case .saveMapping(let draft, let replacing):
                let saved: Mapping
                if let replacing {
                    saved = try replace(replacing, with: draft)
                } else {
                    saved = try store.addMapping(protocol: draft.protocol, local: draft.local, name: draft.name,
                                                 remotePort: draft.remotePort, profile: draft.profile, enabled: draft.enabled,
                                                 allow: draft.allow, deny: draft.deny, basicAuth: try draft.basicAuthRule(),
                                                 proxyProtocol: draft.proxyProtocol, httpsRedirect: draft.httpsRedirect,
                                                 pool: draft.pool)
                }
                return [reloaded(), .succeeded(replacing == nil ? "added \(saved.name)" : "saved \(saved.name)")]
            case .deleteMapping(let name):
                try store.removeMapping(named: name)
                return [reloaded(), .succeeded("deleted \(name)")]
            case .setEnabled(let name, let enabled):
                try store.setMapping(named: name, enabled: enabled)
                return [reloaded(), .succeeded("\(name) \(enabled ? "enabled" : "disabled")")]
            case .copy(let url):
                let used = Clipboard.copy(url, to: screen, environment: environment)
                return [.succeeded("copied \(url)"), .log("copied \(url) (\(used.joined(separator: ", ")))", .info)]
            case .open(let url):
                guard let opener = ExternalTool.find("xdg-open", environment: environment) ?? ExternalTool.find("open", environment: environment) else {
                    return [.failed("cannot open \(url): xdg-open is not installed; press c to copy it instead")]
                }
                ExternalTool.run(opener, [url])
                return [.succeeded("opened \(url)")]
            case .saveTheme(let name):
                try store.updateConfig { $0.ui.theme = name }
                return []
            case .selectProfile(let name):
                if let name {
                    try store.selectProfile(named: name)
                } else {
                    try store.updateConfig { $0.selectedProfile = nil }
                }
                let config = try store.loadConfig()
                return [.profilesChanged(config.profiles, selected: config.selectedProfile),
                        .log("selected profile: \(name ?? "none (embedded relay)")", .info),
                        // The engine rereads config.json every few seconds and moves the mappings.
                        .succeeded(name.map { "selected \($0): mappings without a profile now go through it" }
                            ?? "no profile selected: mappings without one use the embedded relay")]
            case .suspend:
                screen.suspend()
                // The terminal may have changed size meanwhile; a resize repaints everything.
                return [.input(.resize(screen.size))]
            case .saveQuitAnswer(let keep):
                try store.updateConfig { $0.ui.keepTunnelsOnQuit = keep }
                return [.log("remembered: quitting " + (keep ? "keeps the tunnels running" : "stops the tunnels")
                             + " (ui.keepTunnelsOnQuit in config.json)", .info)]
            case .quit:
                return []
            case .fetchExchange(let id):
                return [.exchangeFailed(id: id, "no engine to ask")]
            case .replay(let id, _, _):
                return [.replayFailed(of: id, "no engine to ask")]
            case .editRequest(let exchange):
                return [.replayFailed(of: exchange.id, "no engine to ask")]
            }
        } catch {
            return [.failed("\(error)")]
        }
    }

    /// The file as it is now, so the table updates without waiting for the watcher.
    private func reloaded() -> Action {
        .mappingsChanged((try? store.loadMappings().mappings) ?? [])
    }

    /// Edit: the mapping called `name` becomes `draft`, through the store's
    /// own checked replace (same messages as an add).
    private func replace(_ name: String, with draft: MappingDraft) throws -> Mapping {
        let mapping = Mapping(name: draft.name ?? name, protocol: draft.protocol, local: draft.local,
                              remotePort: draft.remotePort, enabled: draft.enabled, profile: draft.profile,
                              allow: draft.allow, deny: draft.deny, basicAuth: try draft.basicAuthRule(),
                              proxyProtocol: draft.proxyProtocol, httpsRedirect: draft.httpsRedirect, pool: draft.pool)
        return try store.replaceMapping(named: name, with: mapping)
    }
}
