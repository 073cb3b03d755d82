"""python.faust: Faust factories and instances with cyfaust's names —
compute on caller arrays, parameters, metadata, serialization round trips,
located errors and misuse."""
import array
import os

from kilntest import ROOT, TempDirTest, kiln, main, needs_numpy, np
import kiln.faust as faust

OSC = ('declare name "osc"; declare author "kiln tests";\n'
       'import("stdfaust.lib");\n'
       'freq = hslider("freq", 440, 20, 8000, 1);\n'
       'gain = hslider("gain", 0.5, 0, 1, 0.01);\n'
       'process = os.osc(freq) * gain;\n')
GAIN2 = 'process = _, _ : *(0.5), *(2);\n'


@needs_numpy
class Faust(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.factory = faust.create_dsp_factory_from_string("osc", OSC, [])

    def render(self, factory, frames=512, sr=48000):
        dsp = factory.create_dsp_instance()
        dsp.init(sr)
        out = np.zeros((dsp.get_numoutputs(), frames), dtype=np.float32)
        for start in range(0, frames, 256):
            view = out[:, start:start + 256]
            dsp.compute(view.shape[1], None, view)
        return out

    def test_compute_writes_into_the_callers_array(self):
        out = self.render(self.factory)
        self.assertEqual(out.shape, (1, 512))
        self.assertGreater(np.abs(out).max(), 0.4)
        self.assertLessEqual(np.abs(out).max(), 0.5001)
        t = np.arange(1, 513) / 48000.0  # Faust's phase starts one step in
        np.testing.assert_allclose(out[0], 0.5 * np.sin(2 * np.pi * 440 * t), atol=2e-3)

    def test_names_params_metadata(self):
        f = self.factory
        self.assertEqual(f.get_name(), "osc")
        self.assertEqual(len(f.get_sha_key()), len(f.sha_key))
        self.assertEqual(f.target, faust.get_dsp_machine_target())
        self.assertIn(":", faust.get_dsp_machine_target())
        dsp = f.create_dsp_instance()
        dsp.init(44100)
        self.assertEqual(dsp.get_param_paths(), ["/osc/freq", "/osc/gain"])
        self.assertAlmostEqual(dsp.get_param_value("/osc/freq"), 440.0)
        dsp.set_param_value("/osc/gain", 0.25)
        self.assertAlmostEqual(dsp.get_param_value("/osc/gain"), 0.25)
        with self.assertRaises(kiln.InvalidArgument):
            dsp.set_param_value("/osc/nope", 1)
        meta = dsp.metadata()
        self.assertEqual(meta.get("author"), "kiln tests")
        self.assertEqual(meta.get("name"), "osc")

    def test_inputs_list_of_buffers_without_numpy_arrays(self):
        f = faust.create_dsp_factory_from_string("gain2", GAIN2, [])
        dsp = f.create_dsp_instance()
        dsp.init(48000)
        self.assertEqual((dsp.get_numinputs(), dsp.get_numoutputs()), (2, 2))
        ins = [array.array("f", [1.0] * 64), array.array("f", [3.0] * 64)]
        outs = [array.array("f", [0.0] * 64), array.array("f", [0.0] * 64)]
        dsp.compute(64, ins, outs)
        self.assertEqual((outs[0][10], outs[1][10]), (0.5, 6.0))

    def test_from_file_and_args(self):
        path = os.path.join(ROOT, "examples", "faust", "osc.dsp")
        f = faust.create_dsp_factory_from_file(path, ["-vec"])
        self.assertEqual(self.render(f).shape[0], 1)

    def test_serialization_round_trips(self):
        ref = self.render(self.factory)
        machine = self.factory.write_to_machine()
        np.testing.assert_array_equal(self.render(faust.read_dsp_factory_from_machine(machine)), ref)
        for kind, read in (("bitcode", faust.read_dsp_factory_from_bitcode_file),
                           ("ir", faust.read_dsp_factory_from_ir_file),
                           ("machine", faust.read_dsp_factory_from_machine_file)):
            path = os.path.join(self.tmp, "osc." + kind)
            getattr(self.factory, f"write_to_{kind}_file")(path)
            np.testing.assert_allclose(self.render(read(path)), ref, atol=1e-6)
        self.assertIn("define", self.factory.write_to_ir())
        self.assertTrue(self.factory.write_to_objectcode().startswith(b"\x7fELF"))
        with self.assertRaises(kiln.KilnError):
            faust.read_dsp_factory_from_machine(b"garbage")

    def test_compile_error_is_located(self):
        with self.assertRaises(kiln.CompileError) as cm:
            faust.create_dsp_factory_from_string("bad", "process = +(1,;\n", [])
        e = cm.exception
        self.assertEqual(e.line, 1)
        self.assertTrue(e.diagnostics and e.message)

    def test_missing_file(self):
        with self.assertRaises(kiln.KilnError) as cm:
            faust.create_dsp_factory_from_file(os.path.join(self.tmp, "none.dsp"))
        self.assertIn("none.dsp", str(cm.exception))

    def test_misuse_raises_before_compute(self):
        f = faust.create_dsp_factory_from_string("gain2", GAIN2, [])
        dsp = f.create_dsp_instance()
        dsp.init(48000)
        good = np.zeros((2, 64), np.float32)
        out = np.full((2, 64), 7.0, np.float32)
        bad = [np.zeros((3, 64), np.float32),          # channels
               np.zeros((2, 64), np.float64),          # dtype
               np.zeros((2, 32), np.float32),          # frames
               np.zeros((64, 2), np.float32).T,        # frames not contiguous
               None]
        for b in bad:
            with self.assertRaises(kiln.InvalidArgument):
                dsp.compute(64, b, out)
        with self.assertRaises(kiln.InvalidArgument):
            dsp.compute(64, good, np.zeros((2, 128), np.float32)[:, ::2])
        ro = np.zeros((2, 64), np.float32)
        ro.setflags(write=False)
        with self.assertRaises(kiln.InvalidArgument):
            dsp.compute(64, good, ro)
        with self.assertRaises(kiln.InvalidArgument):
            dsp.compute(-1, good, out)
        self.assertTrue((out == 7.0).all())

    def test_lifetimes(self):
        f = faust.create_dsp_factory_from_string("osc", OSC, [])
        dsp = f.create_dsp_instance()
        f.close()
        with self.assertRaises(kiln.ClosedError):
            f.create_dsp_instance()
        dsp.init(48000)  # the instance keeps its factory alive
        out = np.zeros((1, 256), np.float32)
        dsp.compute(256, None, out)
        self.assertGreater(np.abs(out).max(), 0.0)
        dsp.close()
        with self.assertRaises(kiln.ClosedError):
            dsp.compute(256, None, out)
        with self.assertRaises(kiln.ClosedError):
            dsp.init(48000)


if __name__ == "__main__":
    main()
