import Foundation
import VecCore
