import TerminalUI

/// Runs the effects the reducer asks for (files, clipboard, processes) and
/// says how each went. `StoreEffects` is the real one.
public protocol EffectPerforming {
    func perform(_ effect: Effect, screen: Screen) -> [Action]
}
