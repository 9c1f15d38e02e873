import VecCore
