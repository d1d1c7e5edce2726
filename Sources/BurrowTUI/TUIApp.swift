import BurrowCore
import TerminalUI

/// The UI loop: input and mailbox → reducer → effects; state → canvas →
/// screen, at most 10 frames a second and only when the frame changed.
/// Runs on one thread, the one that owns the screen.
public final class TUIApp {
    public private(set) var state: AppState
    public let screen: Screen
    public let mailbox: Mailbox
    private let catalog: ThemeCatalog
    private let effects: EffectPerforming
    private let clock: () -> Double
    private var painted: Canvas?
    private var paintedState: AppState?
    private var paintedTheme: String?
    private var lastPaint = -1.0
    public private(set) var frames = 0

    public static let frameInterval = 0.1

    public init(screen: Screen, state: AppState, catalog: ThemeCatalog, effects: EffectPerforming, mailbox: Mailbox,
                clock: @escaping () -> Double = WallClock.now) {
        self.screen = screen
        self.state = state
        self.catalog = catalog
        self.effects = effects
        self.mailbox = mailbox
        self.clock = clock
        self.state.size = screen.size
        self.state.themeNames = catalog.names
    }

    /// Runs until the person quits.
    public func run() {
        while !state.quitting {
            step(timeoutMilliseconds: 100)
        }
    }

    /// One turn of the loop: wait for input up to the timeout, apply what
    /// arrived, draw if due. Tests call it directly.
    public func step(timeoutMilliseconds: Int) {
        for action in mailbox.drain() { dispatch(action) }
        let now = clock()
        // The clock only matters to the screen once a second (uptimes,
        // "N s ago") and when a toast ends, so idle ticks change nothing.
        if Int(now) != Int(state.now) || (state.toast.map { $0.until <= now } ?? false) {
            dispatch(.tick(now))
        }
        paintIfDue(now: now)
        guard let event = screen.nextEvent(timeoutMilliseconds: timeoutMilliseconds) else { return }
        dispatch(.input(event))
        // Drain a burst (pasted text, key repeat) before the next frame.
        var burst = 0
        while burst < 64, !state.quitting, let more = screen.nextEvent(timeoutMilliseconds: 0) {
            dispatch(.input(more))
            burst += 1
        }
        paintIfDue(now: clock())
    }

    public func dispatch(_ action: Action) {
        var pending = [action]
        var guardCount = 0
        while !pending.isEmpty, guardCount < 16 {
            guardCount += 1
            let next = pending.removeFirst()
            if case .input(.resize) = next { painted = nil }
            for effect in Reducer.reduce(&state, next) {
                pending.append(contentsOf: effects.perform(effect, screen: screen))
            }
        }
    }

    /// Draws the frame if it differs from the last one and the last was at
    /// least `frameInterval` ago.
    public func paintIfDue(now: Double, force: Bool = false) {
        guard force || now - lastPaint >= TUIApp.frameInterval || painted == nil else { return }
        // Rendering is cheap but not free: skip it while nothing changed.
        if !force, painted != nil, paintedState == state { return }
        paintedState = state
        let canvas = AppView.render(state)
        guard force || canvas != painted || paintedTheme != state.themeName else { return }
        let theme = catalog.theme(named: state.themeName) ?? .builtInDefault
        // A theme change repaints everything; otherwise only changed rows.
        CanvasPainter(theme: theme).paint(canvas, on: screen, previous: paintedTheme == state.themeName ? painted : nil)
        painted = canvas
        paintedTheme = state.themeName
        lastPaint = now
        frames += 1
    }
}
