import BurrowCore
